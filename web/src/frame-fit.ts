/** Sizing the rendered-notebook frame to its document, and the sandbox that lets the portal measure it. */

/**
 * The frame's sandbox: same-origin, so the portal can read the document's height and size the frame to it, and
 * popups (links open in a new tab, unsandboxed). Never scripts: nothing in the frame runs, and without script the
 * shared origin gives the document nothing it can use (the portal's CSP, which the srcdoc frame inherits, allows
 * no inline script either). Scripts with same-origin would let the frame remove its own sandbox.
 */
export const NOTEBOOK_FRAME_SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';

/** The parts of an iframe element that fitting it reads (an HTMLIFrameElement has them all). */
export interface MeasurableFrame {
  offsetHeight: number;
  clientHeight: number;
  contentWindow: { innerHeight: number } | null;
  contentDocument: { documentElement: { clientHeight: number; getBoundingClientRect(): { height: number } } } | null;
}

/**
 * The height (CSS px) at which the frame shows its whole document with no scrollbar of its own: the document's
 * height, plus the frame's borders, plus a horizontal scrollbar's when a wide table or line has one. Null when the
 * document cannot be read (not loaded yet), so the caller keeps the height it has.
 */
export const fittedFrameHeight = (frame: MeasurableFrame): number | null => {
  const root = frame.contentDocument?.documentElement;
  if (!root || !frame.contentWindow) return null;
  const borders = frame.offsetHeight - frame.clientHeight;
  const scrollbar = Math.max(0, frame.contentWindow.innerHeight - root.clientHeight);
  return Math.ceil(root.getBoundingClientRect().height) + borders + scrollbar;
};
