/** Makes identifiers; tests make them predictable. */
export interface Ids {
  /** A new unique id with the given prefix, e.g. `nb`, `up`. Lowercase letters, digits and one dash. */
  next(prefix: string): string;
}
