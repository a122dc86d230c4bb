import DOMPurify from 'dompurify';
import { ErrorAlert, Loading } from './states.tsx';
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
 * A rendered notebook in a sandboxed iframe fed by `srcdoc`. The sandbox allows popups only (links open
 * in a new tab, unsandboxed) and never scripts or same-origin, so nothing in it can act as the portal.
 * Without same-origin the portal cannot measure the document to size the frame, so the frame is tall
 * (most of the viewport), scrolls inside, and can be resized by its corner; the loading and error
 * states reserve the same height so nothing shifts when the HTML arrives.
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
      sandbox="allow-popups allow-popups-to-escape-sandbox"
      referrerPolicy="no-referrer"
    />
  );
};
