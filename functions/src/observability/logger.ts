import { isLogged } from './settings.ts';

/** Fields of one structured log line. */
export type LogFields = Record<string, unknown>;

/**
 * Writes one JSON object per line, the shape CloudWatch Logs Insights and `jq` read, when the configured level
 * (configureObservability, from ORRERY_LOG_LEVEL) lets a line of this level through.
 */
export const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: LogFields = {}): void => {
  if (!isLogged(level)) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
};
