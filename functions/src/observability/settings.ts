/** The log levels from the most to the least said; `silent` writes no log line and no metric. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** How much the log says: a line is written when its level is at or after this one. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the entry tells logging and metrics, from its configuration (ORRERY_LOG_LEVEL). */
export interface ObservabilitySettings {
  logLevel: LogLevel;
}

// One per process: a Lambda's entry or local mode sets it from its validated configuration at start. Until then
// (and in code that never loads a configuration) the log says info and above.
let current: ObservabilitySettings = { logLevel: 'info' };

/** Sets the level the logger and metrics follow; called once by the entry with what its configuration says. */
export const configureObservability = (settings: ObservabilitySettings): void => {
  current = { ...settings };
};

/** Whether a line of this level is written under the current settings. */
export const isLogged = (level: Exclude<LogLevel, 'silent'>): boolean =>
  current.logLevel !== 'silent' && LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(current.logLevel);

/** Whether metrics are written: every level but `silent`. */
export const metricsEnabled = (): boolean => current.logLevel !== 'silent';
