import { escapeHtml } from './html-text.ts';

/** Why a piece of a notebook was shown as plain text instead of being rendered. */
export class RenderLimitExceeded extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RenderLimitExceeded';
  }
}

/**
 * Counts units of rendering work (characters scanned, text handed to the markdown lexer) against a limit.
 * Counting instead of timing keeps the bound deterministic: the same cell is cut the same way on every machine,
 * so a cached page never depends on how busy the renderer was.
 */
export class WorkMeter {
  spent = 0;

  constructor(readonly limit = Number.POSITIVE_INFINITY) {}

  /** Adds units of work; past the limit it throws RenderLimitExceeded, which the caller turns into plain text. */
  charge(units: number): void {
    this.spent += units;
    if (this.spent > this.limit) throw new RenderLimitExceeded('it needs more work to render than its size allows');
  }
}

/** The size limits of one rendered page. */
export interface RenderLimits {
  /** An output whose text (or image data) is longer than this many UTF-8 bytes shows its head and a marker. */
  maxOutputBytes: number;
  /** Markdown cells and outputs go through the markdown parser up to this many characters per notebook. */
  markdownChars: number;
}

/**
 * 10 MiB per output: the runner's own cap on one output, so a run's output is never cut twice, more than twice a
 * Plotly figure with its library inlined (~4 MB) and more than a whole inline notebook (4 MB): nobody reaches it
 * without printing megabytes on purpose, while an uploaded notebook (up to 100 MB) cannot put more on the page.
 * 256 Ki characters of markdown per notebook (about a hundred printed pages): markdown costs up to about 2.8 ms
 * per KB to parse and sanitize (huge tables, long runs of `<`), so this leaves most of the 2 s render target of a
 * 4 MB notebook to its outputs.
 */
export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxOutputBytes: 10 * 1024 * 1024, markdownChars: 256 * 1024 };

/** What one page render has left of its limits; shared by every cell and output of the notebook. */
export class RenderBudget {
  private markdownLeft: number;

  constructor(readonly limits: RenderLimits = DEFAULT_RENDER_LIMITS) {
    this.markdownLeft = limits.markdownChars;
  }

  /** Takes `chars` of the notebook's markdown allowance; false (and nothing taken) when not enough is left. */
  takeMarkdown(chars: number): boolean {
    if (chars > this.markdownLeft) return false;
    this.markdownLeft -= chars;
    return true;
  }
}

/** Text that could not be rendered, shown escaped and preformatted under a note that says why. */
export const plainTextFallback = (text: string, reason: string): string =>
  `<p class="nb-render-note">Shown as plain text because ${escapeHtml(reason)}.</p>` +
  `<pre class="nb-plain-text">${escapeHtml(text)}</pre>`;
