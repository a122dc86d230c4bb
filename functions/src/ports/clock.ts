/** The time, as use cases see it; tests move it by hand. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}
