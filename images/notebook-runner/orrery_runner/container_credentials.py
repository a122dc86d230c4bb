"""The container-credentials server: AWS keys for a notebook on http://127.0.0.1:<port>/credentials (../README.md).

The AWS SDKs' container provider (botocore's ContainerProvider, the JS SDK's fromHttp, the Java SDK's
ContainerCredentialsProvider) reads `AWS_CONTAINER_CREDENTIALS_FULL_URI` and sends the content of
`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` as the `Authorization` header, verbatim. This server answers it with
`{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` from keys it gets through a pluggable `fetch()` (the
API, with a server or run token the notebook does not hold). With the same token, `GET /credentials/status` says
which role and account the keys are for and until when (never the keys: the Jupyter server's Orrery extension shows
it in the browser), and `POST /credentials/refresh` fetches new keys at once (after a role switch). The server
pod's sidecar (`credentials_sidecar`) and the runner (`credentials_api.start_for_run`) both run it. Standard library
only, Python >= 3.9.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Optional, Tuple

from .credential_cache import CredentialCache, FetchFailed, TokenDead
from .notebook_io import write_atomically

FULL_URI_VARIABLE = 'AWS_CONTAINER_CREDENTIALS_FULL_URI'
TOKEN_FILE_VARIABLE = 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'
CREDENTIALS_PATH = '/credentials'
# What the keys are for and until when (no keys), and a forced refresh: for the Jupyter server's Orrery extension,
# with the same authorization token as the keys themselves.
STATUS_PATH = '/credentials/status'
REFRESH_PATH = '/credentials/refresh'
METHODS = {CREDENTIALS_PATH: 'GET', STATUS_PATH: 'GET', REFRESH_PATH: 'POST'}
LOOPBACK = '127.0.0.1'
# Headers a browser adds (and SDKs never send): a page the user visits cannot make its browser read the keys.
BROWSER_HEADERS = ('Origin', 'Referer', 'X-Forwarded-For')


def host_is_loopback(host: Optional[str], port: int) -> bool:
    """Whether a Host header names this server by loopback: 127.0.0.1 or localhost, with or without the port."""
    if not host:
        return False
    allowed = {LOOPBACK, 'localhost'}
    return host.lower() in allowed | {f'{name}:{port}' for name in allowed}


def error_body(code: str, message: str) -> dict:
    """An error answer as the SDKs read one (the JS SDK keeps Code and Message of a 4xx)."""
    return {'Code': code, 'Message': message}


class CredentialsHandler(BaseHTTPRequestHandler):
    """GET /credentials, GET /credentials/status, POST /credentials/refresh; everything else is 404 or 405."""

    server: 'CredentialsHTTPServer'
    protocol_version = 'HTTP/1.1'  # keep-alive: botocore and the JS SDK reuse connections
    # Headers and body go out as two small writes; with Nagle's algorithm the body waits for the client's delayed
    # ACK (~40 ms per answer on a kept-alive connection).
    disable_nagle_algorithm = True
    timeout = 30  # an idle kept-alive connection gives its thread back
    server_version = 'orrery-credentials/1'
    sys_version = ''

    def do_GET(self) -> None:  # noqa: N802 (BaseHTTPRequestHandler's naming)
        status, body = self.server.answer(self.command, self.path, self.headers)
        self.reply(status, body)

    def do_other(self) -> None:
        self.drain_body()
        status, body = self.server.answer(self.command, self.path, self.headers)
        self.reply(status, body)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_other  # noqa: N815

    def drain_body(self) -> None:
        """Reads a small request body (the refresh needs none) so a kept-alive connection stays in step."""
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if 0 < length <= 65536:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        # Keys must land in no cache between here and the client.
        self.send_header('Cache-Control', 'no-store')
        if status == 405:
            self.send_header('Allow', METHODS.get(urllib.parse.urlsplit(self.path).path, 'GET'))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # every request would be a line; refusals are logged by answer(), never with their headers


class CredentialsHTTPServer(ThreadingHTTPServer):
    """The HTTP side: checks each request, then asks the cache."""

    daemon_threads = True

    def __init__(self, cache: CredentialCache, token: str, port: int, log: Callable[[str], None]) -> None:
        self.cache, self.token, self.log = cache, token.encode(), log
        # Kept-alive connections outlive shutdown() in their own threads: once closed, they get no keys.
        self.closed = False
        super().__init__((LOOPBACK, port), CredentialsHandler)

    def answer(self, method: str, path: str, headers: Any) -> Tuple[int, dict]:
        """The status and JSON body for one request."""
        browser = [name for name in BROWSER_HEADERS if headers.get(name) is not None]
        if browser or not host_is_loopback(headers.get('Host'), self.server_address[1]):
            why = f'header {browser[0]}' if browser else f'Host {str(headers.get("Host"))[:60]!r}'
            self.log(f'refused a browser-shaped or non-loopback request ({why})')
            return 403, error_body('Forbidden', 'browser-shaped or non-loopback requests are refused')
        route = urllib.parse.urlsplit(path).path
        if route not in METHODS:
            return 404, error_body('NotFound', f'only {", ".join(METHODS)} are served')
        if method != METHODS[route]:
            return 405, error_body('MethodNotAllowed', f'{route} answers {METHODS[route]} only')
        given = (headers.get('Authorization') or '').encode('utf-8', 'replace')
        if not hmac.compare_digest(given, self.token):
            self.log('refused a request without the right authorization token')
            return 401, error_body('Unauthorized', 'send the content of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '
                                                   'as the Authorization header')
        if self.closed:
            return 503, error_body('CredentialsUnavailable', 'the credentials server is stopping')
        try:
            if route == CREDENTIALS_PATH:
                return 200, self.cache.get().answer()
            keys = self.cache.refresh() if route == REFRESH_PATH else self.cache.get()
            return 200, keys.status(self.cache.now())
        except TokenDead:
            return 403, error_body('TokenRevoked', 'this server or run no longer gets credentials (stopped, culled '
                                                   'or relaunched)')
        except FetchFailed as exc:
            return 503, error_body('CredentialsUnavailable', f'could not get credentials from Orrery: {exc}'[:300])


def write_token_file(path: str, token: str) -> None:
    """Writes the token with mode 0600, atomically, and without a newline (the SDKs send the file verbatim)."""
    write_atomically(path, token.encode(), mode=0o600)


def stderr_log(message: str) -> None:
    """One line on stderr, for whoever keeps the sidecar's or the runner's log."""
    print(f'[orrery-credentials] {message}', file=sys.stderr, flush=True)


class ContainerCredentialsServer:
    """The server on 127.0.0.1:<port> (0 = any free port) and its token file; start() it, close() it."""

    # How often the serving thread looks for close(): how long close() may wait (tests make it shorter).
    poll_seconds = 0.5

    def __init__(self, fetch: Callable[[], Any], token_file: str, port: int = 0,
                 clock: Callable[[], float] = time.time, log: Callable[[str], None] = stderr_log,
                 token: Optional[str] = None) -> None:
        self.token_file = os.path.abspath(token_file)
        self.cache = CredentialCache(fetch, clock, log)
        # Given when whoever starts the sidecar hands the token to the notebook before the sidecar serves.
        self._token = token or secrets.token_urlsafe(32)
        self._requested_port, self._log = port, log
        self._http: Optional[CredentialsHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """The port it listens on (known after start())."""
        if self._http is None:
            raise RuntimeError('the credentials server is not started')
        return self._http.server_address[1]

    @property
    def url(self) -> str:
        """The value of AWS_CONTAINER_CREDENTIALS_FULL_URI."""
        return f'http://{LOOPBACK}:{self.port}{CREDENTIALS_PATH}'

    def environment(self) -> Dict[str, str]:
        """The two variables a notebook's process needs, and only those (never the token itself)."""
        return {FULL_URI_VARIABLE: self.url, TOKEN_FILE_VARIABLE: self.token_file}

    def start(self) -> 'ContainerCredentialsServer':
        """Binds, writes the token file, then serves from a daemon thread."""
        self._http = CredentialsHTTPServer(self.cache, self._token, self._requested_port, self._log)
        try:
            write_token_file(self.token_file, self._token)
        except BaseException:
            self._http.server_close()
            raise
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={'poll_interval': self.poll_seconds},
                                        name='orrery-credentials', daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stops serving and removes the token file; safe to call twice."""
        http, self._http = self._http, None
        if http is not None:
            http.closed = True
            http.shutdown()
            http.server_close()
        try:
            os.unlink(self.token_file)
        except FileNotFoundError:
            pass

    def __enter__(self) -> 'ContainerCredentialsServer':
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.close()
