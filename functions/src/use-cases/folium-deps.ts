import type { BodyStore } from '../ports/body-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { Ids } from '../ports/ids.ts';
import type { NotebookRenderer } from '../ports/notebook-renderer.ts';
import type { NotebookStore } from '../ports/notebook-store.ts';
import type { RenderCache } from '../ports/render-cache.ts';

/** Size and time limits of the archive, from configuration. */
export interface FoliumLimits {
  /** Largest body accepted inline in a JSON request. */
  inlineBytes: number;
  /** Largest body accepted through an upload URL. */
  uploadBytes: number;
  /** How long presigned URLs stay valid. */
  urlSeconds: number;
  /** Rendered pages cut an output past this many bytes (the renderer's default when absent). */
  renderOutputBytes?: number;
}

/** The archive's ports and limits; each use case declares the few it needs with a Pick. */
export interface FoliumDeps {
  notebooks: NotebookStore;
  bodies: BodyStore;
  clock: Clock;
  ids: Ids;
  cursors: CursorCodec;
  limits: FoliumLimits;
  /** Renders versions and run outputs to HTML; loaded on first use in the cloud. */
  renderer: NotebookRenderer;
  /** Keeps rendered pages, so a second view is one read. */
  renderCache: RenderCache;
}

/** The limits used unless configuration says otherwise. */
export const DEFAULT_LIMITS: FoliumLimits = {
  inlineBytes: 4 * 1024 * 1024,
  uploadBytes: 100 * 1024 * 1024,
  urlSeconds: 900,
};
