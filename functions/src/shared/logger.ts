/** Fields of one structured log line. */
export type LogFields = Record<string, unknown>;

/** Writes one JSON object per line, the shape CloudWatch Logs Insights and `jq` read. */
export const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: LogFields = {}): void => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  if (process.env.ORRERY_LOG_LEVEL === 'silent') return;
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
};
