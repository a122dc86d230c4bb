/**
 * Rendered pages kept by a key that names exactly what was rendered and how (domain/rendering/render-key.ts), so
 * a second view of the same version or run output is one read instead of a render.
 */
export interface RenderCache {
  /** The page stored under `key`, or null when none is. */
  get(key: string): Promise<string | null>;
  /** Stores a page under `key`, replacing any; a caller treats a failure as a page not kept, never as a failed view. */
  put(key: string, html: string): Promise<void>;
}
