/** Makes identifiers; tests make them predictable. */
export interface Ids {
  /** A new unique id with the given prefix, e.g. `nb`, `up`. Lowercase letters, digits and one dash. */
  next(prefix: string): string;
  /** A secret of at least 256 random bits, base64url (server tokens). */
  secret(): string;
}
