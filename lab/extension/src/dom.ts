import { Widget } from '@lumino/widgets';

// Small DOM builders for the dialogs and the panel: plain elements, no framework, class names under orrery-.

/** An element with attributes (class, text, or any attribute) and children. */
export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
};

/** A labelled form field around an input, select or textarea. */
export const field = (label: string, control: HTMLElement): HTMLLabelElement =>
  el('label', { class: 'orrery-field' }, [el('span', { text: label }), control]);

/** A dialog body: a widget whose value the dialog reads when a button is pressed. */
export class FormBody<T> extends Widget {
  private readonly read: () => T;

  constructor(node: HTMLElement, read: () => T) {
    super({ node });
    this.addClass('orrery-form');
    this.read = read;
  }

  /** What the dialog returns as its value. */
  getValue(): T {
    return this.read();
  }
}

/** "in 42 min" / "in 1 h 5 min" / "in 40 s": a short time left. */
export const timeLeft = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

/** mm:ss or h:mm:ss, for the status bar's countdown. */
export const clock = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const rest = `${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return h > 0 ? `${h}:${rest}` : rest;
};
