import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

const STATUS: Record<CopyState, string> = {
  idle: '',
  copied: 'Copied',
  failed: 'Could not copy: the text is selected, press Ctrl+C (⌘C)',
};

/**
 * A titled block of text to paste elsewhere, with a Copy button whose result is announced beside it. When the
 * clipboard refuses (an old browser, a denied permission) the text is selected instead, so one keystroke copies it.
 * The text lives only in the page: nothing is stored or logged.
 */
export const CopyBlock = ({
  title,
  what,
  text,
  children,
}: {
  title: string;
  /** Completes the button's accessible name: "Copy <what>". */
  what: string;
  text: string;
  children?: ReactNode;
}) => {
  const id = useId();
  const [state, setState] = useState<CopyState>('idle');
  const preRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    if (state === 'idle') return;
    const handle = setTimeout(() => setState('idle'), 4000);
    return () => clearTimeout(handle);
  }, [state]);

  const selectText = () => {
    const pre = preRef.current;
    const selection = window.getSelection();
    if (!pre || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(pre);
    selection.removeAllRanges();
    selection.addRange(range);
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      selectText();
      setState('failed');
    }
  };

  return (
    <section className="copy-block" aria-labelledby={`${id}-title`}>
      <div className="copy-head">
        <h3 id={`${id}-title`}>{title}</h3>
        <button type="button" className="secondary" onClick={copy}>
          Copy<span className="visually-hidden"> {what}</span>
        </button>
        <span className={`copy-status small${state === 'failed' ? ' alert-inline' : ''}`} role="status">
          {STATUS[state]}
        </span>
      </div>
      {children}
      <pre ref={preRef} className="copy-text">
        {text}
      </pre>
    </section>
  );
};
