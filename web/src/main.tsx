import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import './styles.css';

// A tab opened before a deploy may ask for a chunk the new build no longer has: reload once to get the new
// build (at most once a minute, so a chunk that is really missing shows the page's error instead of a loop).
window.addEventListener('vite:preloadError', (event) => {
  const last = Number(sessionStorage.getItem('orrery.chunkReloadAt') ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem('orrery.chunkReloadAt', String(Date.now()));
  event.preventDefault();
  window.location.reload();
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
