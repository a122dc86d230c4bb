/** Turns a listing position into an opaque cursor and back; a cursor that was changed must not decode. */
export interface CursorCodec {
  /** Seals a position for one listing scope (the filter it belongs to). */
  encode(scope: string, position: string): string;
  /** Opens a cursor; throws ValidationError when it was tampered with or belongs to another scope. */
  decode(scope: string, cursor: string): string;
}
