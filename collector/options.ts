// Checking the values of the command-line options. Each check throws a UserError whose message
// is the one line printed before exiting non-zero.
import { UserError } from '../lib/errors.js';
import { loadNodeCron } from './node-cron.js';

export const DEFAULT_RETENTION_DAYS = '365';
export const DEFAULT_STATS_CRON = '* * * * *';
export const DEFAULT_FULL_CRON = '59 * * * *';
export const DEFAULT_PRUNE_CRON = '58 23 * * *';
export const DEFAULT_METRICS_CRON = '* * * * *';
/** Seconds a snapshot may take in the daemon before it is killed: well under the minute period. */
export const DEFAULT_TIMEOUT_SECONDS = '50';

export function parseRetentionDays(value: string): number {
  const days = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(days >= 1) || !Number.isSafeInteger(days)) {
    throw new UserError(`--retention-days must be a whole number of days, 1 or more (got "${value}")`);
  }
  return days;
}

export function parseTimeoutSeconds(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0) || seconds > 86_400) {
    throw new UserError(`--timeout must be a number of seconds, more than 0 and at most 86400 (got "${value}")`);
  }
  return seconds;
}

/** A cron expression of five fields, or six with seconds first, as node-cron reads it. */
export async function checkCron(option: string, value: string): Promise<string> {
  const { validateDetailed } = await loadNodeCron();
  const { valid, errors } = validateDetailed(value);
  if (valid) return value;
  const first = errors[0];
  const reason = !first
    ? 'not a cron expression'
    : first.field === 'expression'
      ? first.message
      : `bad ${first.field} field "${first.value ?? ''}"`;
  throw new UserError(`${option} "${value}" is not a valid cron expression: ${reason}`);
}
