import { ANSI_CSS } from './ansi.ts';

const PAGE_CSS = `
:root { color-scheme: light; --nb-border: #e0e0e0; --nb-muted: #616161; --nb-code-bg: #f7f7f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; background: #fff; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.nb-header { padding: 16px 24px; border-bottom: 1px solid var(--nb-border); }
.nb-title { margin: 0; font-size: 20px; overflow-wrap: anywhere; }
.nb-kernel { margin: 4px 0 0; color: var(--nb-muted); }
.nb-notebook { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
.nb-cell { display: grid; grid-template-columns: 88px minmax(0, 1fr); margin: 8px 0; }
.nb-cell > .nb-prompt, .nb-output > .nb-prompt { grid-column: 1; }
.nb-prompt { padding: 6px 8px 0 0; text-align: right; color: var(--nb-muted); font: 12px/1.5 ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; }
.nb-input-prompt { color: #303f9f; }
.nb-output-prompt { color: #d84315; }
.nb-cell-body { grid-column: 2; min-width: 0; }
.nb-input pre { margin: 0; padding: 6px 8px; background: var(--nb-code-bg); border: 1px solid var(--nb-border); border-radius: 2px; overflow-x: auto; }
.nb-outputs { grid-column: 1 / span 2; }
.nb-output { display: grid; grid-template-columns: 88px minmax(0, 1fr); }
.nb-output-area { grid-column: 2; min-width: 0; overflow-x: auto; padding: 4px 0; }
.nb-output-area pre { margin: 0; padding: 2px 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.nb-output-stderr .nb-output-area { background: #fdd; }
.nb-error { background: #fdd; }
.nb-output-area img, .nb-markdown img { max-width: 100%; height: auto; }
.nb-markdown { padding: 0 8px; overflow-wrap: break-word; }
.nb-markdown pre { padding: 6px 8px; background: var(--nb-code-bg); overflow-x: auto; }
.nb-math { font-family: ui-serif, Georgia, serif; white-space: pre-wrap; }
.nb-math-display { display: block; text-align: center; margin: 8px 0; }
.nb-raw { margin: 0; padding: 6px 8px; border: 1px dashed var(--nb-border); white-space: pre-wrap; }
.nb-render-note, .nb-output-truncated { margin: 4px 8px; color: var(--nb-muted); font-style: italic; }
.nb-plain-text { margin: 0; padding: 6px 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--nb-border); padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: #f5f5f5; }
blockquote { margin: 8px 0; padding: 0 12px; color: var(--nb-muted); border-left: 4px solid var(--nb-border); }
`;

/** The page's one stylesheet, inlined so the page loads nothing: layout, prompts, tables and ANSI colours. */
export const NOTEBOOK_CSS = `${PAGE_CSS.trim()}\n${ANSI_CSS}`;
