import { createHash } from 'node:crypto';

// Pinned by its hash in the CSP, so no other script can run on the page.
const SCRIPT = `(async () => {
  const status = document.getElementById('status');
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  history.replaceState(null, '', location.pathname);
  const kept = localStorage.getItem('orrery.token');
  if (!code && !kept) {
    status.textContent = 'Open the login link that npm start printed, or run: npm run token -- <user>';
    return;
  }
  let token = kept, user = localStorage.getItem('orrery.user');
  if (code) {
    const res = await fetch('/auth/local/exchange', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }),
    });
    const body = await res.json();
    if (!res.ok) { status.className = 'err'; status.textContent = body.message; return; }
    token = body.token; user = body.user;
    localStorage.setItem('orrery.token', token); localStorage.setItem('orrery.user', user);
  }
  status.textContent = 'Signed in.';
  document.getElementById('user').textContent = user;
  document.getElementById('token').value = token;
  document.querySelector('#done code:last-child').textContent =
    'curl -H "Authorization: Bearer $TOKEN" ' + location.origin + '/api/me';
  document.getElementById('done').hidden = false;
})();
`;

/** The CSP of the login page: only its own script (by hash) runs, and it may talk only to this origin. */
export const LOGIN_PAGE_CSP =
  `default-src 'none'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; ` +
  "style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The page behind the one-time login link while the portal is not built: it spends the code from the URL fragment
 * (never sent to the server in a request line, so never in a log) and keeps the token for the portal.
 */
export const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Orrery — sign in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
code,textarea{font:13px ui-monospace,monospace}textarea{width:100%;height:7rem}.err{color:#a40e26}</style></head>
<body><main><h1>Orrery</h1><p id="status" role="status">Signing you in…</p>
<div id="done" hidden><p>Signed in as <strong id="user"></strong>.
Your bearer token for the API (<code>/api/…</code>):</p>
<textarea id="token" readonly aria-label="Bearer token"></textarea>
<p>Try: <code>curl -H "Authorization: Bearer $TOKEN" http://HOST/api/me</code></p></div>
<p id="portal-missing">The web portal is not built, so this plain page stands in for it.
Build it with <code>npm run build:web</code> (<code>npm start</code> builds it when it is missing or older
than <code>web/</code>) and reload.</p></main>
<script>${SCRIPT}</script></body></html>
`;
