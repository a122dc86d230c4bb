import DOMPurify from 'dompurify';
import { useEffect, useRef, useState } from 'react';
import { ErrorAlert, Loading } from './states.tsx';
import { fittedFrameHeight, NOTEBOOK_FRAME_SANDBOX } from '../frame-fit.ts';
import { useAsync } from '../use-async.ts';
import '../pages/folium.css';

let hooked = false;

/**
 * Sanitizes a rendered notebook for the frame. The API already sanitizes; this is the portal's own
 * second line, so a bug there cannot become script in a page we show. WHOLE_DOCUMENT keeps the
 * `<style>` in its head (the notebook's stylesheet); scripts, forms and meta refreshes go. Links open
 * in a new tab: the frame's sandbox would otherwise navigate the frame itself, which frame-src refuses.
 */
export const sanitizeNotebookHtml = (html: string): string => {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node instanceof Element && node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
  }
  return DOMPurify.sanitize(html, {
    WHOLE_DOCUMENT: true,
    ADD_TAGS: ['style'],
    ADD_ATTR: ['target'],
    FORBID_TAGS: [
      'script',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'meta',
      'base',
      'iframe',
      'object',
      'embed',
      'link',
    ],
  });
};

/**
 * Keeps a frame as tall as its document: measured when it loads and again whenever the document's size changes
 * (the window narrows, an image decodes), so the page scrolls, not the frame.
 */
const useFittedHeight = () => {
  const [height, setHeight] = useState<number | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  useEffect(() => () => observer.current?.disconnect(), []);
  const onLoad = (frame: HTMLIFrameElement) => {
    const measure = () => {
      const next = fittedFrameHeight(frame);
      if (next !== null) setHeight(next);
    };
    measure();
    observer.current?.disconnect();
    const root = frame.contentDocument?.documentElement;
    observer.current = root ? new ResizeObserver(measure) : null;
    if (root) observer.current?.observe(root);
  };
  return { height, onLoad };
};

/**
 * A rendered notebook in a sandboxed iframe fed by `srcdoc`, as tall as the notebook (see NOTEBOOK_FRAME_SANDBOX:
 * same-origin to measure it, popups for links, never scripts). The loading and error states take a modest box.
 */
export const NotebookFrame = ({
  title,
  load,
  loadKey,
}: {
  title: string;
  load: (signal: AbortSignal) => Promise<string>;
  loadKey: string;
}) => {
  const { data, error, loading, reload } = useAsync(
    async (signal) => sanitizeNotebookHtml(await load(signal)),
    [loadKey],
  );
  const fitted = useFittedHeight();
  if (error) {
    return (
      <div className="notebook-frame-box">
        <ErrorAlert error={error} title={`${title} could not be shown`} onRetry={() => reload()} />
      </div>
    );
  }
  // Another version loading shows the loading state, not the previous version under the new heading.
  if (loading || data === undefined) {
    return (
      <div className="notebook-frame-box">
        <Loading label={`Loading ${title.toLowerCase()}…`} />
      </div>
    );
  }
  return (
    <iframe
      className="notebook-frame"
      title={title}
      srcDoc={data}
      sandbox={NOTEBOOK_FRAME_SANDBOX}
      referrerPolicy="no-referrer"
      style={fitted.height === null ? undefined : { height: fitted.height }}
      onLoad={(event) => fitted.onLoad(event.currentTarget)}
    />
  );
};
