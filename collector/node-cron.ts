// Loads node-cron only when the daemon or its option checks need it (the one-shot snapshot,
// started every minute, does not). In the bundled executable build.mjs points it at the
// package's CommonJS build.
type NodeCron = typeof import('node-cron');

export function loadNodeCron(): Promise<NodeCron> {
  return import('node-cron');
}
