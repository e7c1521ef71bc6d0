// Loads node-cron only when the daemon or its option checks need it (the one-shot snapshot,
// started every minute, does not). In the bundled CommonJS executable it must be node-cron's
// CommonJS build: its ES build computes a path from import.meta.url when it loads, which a
// CommonJS bundle does not have. Under the test runner (ES modules) there is no require.
type NodeCron = typeof import('node-cron');

export async function loadNodeCron(): Promise<NodeCron> {
  if (typeof require === 'function') return require('node-cron') as NodeCron;
  return import('node-cron');
}
