"""Blocking clients the Jupyter server's Orrery handlers use: Orrery's API with the server token, and the sidecar.

The API: the routes a server token may call for its owner (`/servers/{name}/lab/...`, docs/api.md), with
`Authorization: token <JUPYTER_TOKEN>`. The credentials sidecar: its status (no keys) and forced refresh, with the
container-credentials authorization token the Jupyter server has. Errors become `OrreryError` with a message a
person can act on. Standard library only (the handlers run these in a thread).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Mapping, Optional

TIMEOUT_SECONDS = 20.0
# A notebook from storage: the API's inline limit is far lower; this only bounds what a broken answer may cost.
MAX_DOWNLOAD_BYTES = 256 << 20


class OrreryError(Exception):
    """An answer to show: the HTTP status the browser gets, a code, and a message for a person."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def is_loopback(url: str) -> bool:
    """Whether a URL's host is this machine (then no proxy may stand between)."""
    host = (urllib.parse.urlsplit(url).hostname or '').lower()
    return host in ('localhost', '::1') or host.startswith('127.')


def opener_for(url: str) -> urllib.request.OpenerDirector:
    """An opener that skips proxies for loopback URLs (locally the API and storage are on 127.0.0.1)."""
    return urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if is_loopback(url) else []))


def read_json(data: bytes) -> Any:
    try:
        return json.loads(data or b'null')
    except ValueError:
        return None


class Settings:
    """What the Jupyter server's environment says about Orrery."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.api_url = environ.get('ORRERY_API_URL', '').strip().rstrip('/')
        self.server_name = environ.get('ORRERY_SERVER_NAME', '').strip()
        self.portal_url = environ.get('ORRERY_PORTAL_URL', '').strip().rstrip('/')
        self.token = environ.get('JUPYTER_TOKEN', '').strip()
        self.credentials_url = environ.get('AWS_CONTAINER_CREDENTIALS_FULL_URI', '').strip()
        self.credentials_token = environ.get('AWS_CONTAINER_AUTHORIZATION_TOKEN', '').strip()
        self.credentials_token_file = environ.get('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', '').strip()

    @property
    def missing(self) -> list:
        """The variables Orrery's routes need and the environment lacks."""
        wanted = {'ORRERY_API_URL': self.api_url, 'ORRERY_SERVER_NAME': self.server_name, 'JUPYTER_TOKEN': self.token}
        return [name for name, value in wanted.items() if not value]

    @property
    def has_credentials(self) -> bool:
        """Whether a credentials sidecar serves this server."""
        return bool(self.credentials_url and (self.credentials_token or self.credentials_token_file))

    def portal_link(self, *parts: str) -> Optional[str]:
        """A portal URL such as <portal>/notebooks/<id>, or None when the portal's address is unknown."""
        if not self.portal_url:
            return None
        return '/'.join([self.portal_url, *(urllib.parse.quote(p, safe='') for p in parts)])


def api_message(status: int, body: Any, what: str) -> str:
    """A sentence for an error answer of Orrery's API: its own message, with what it means here."""
    told = body.get('message') if isinstance(body, dict) and isinstance(body.get('message'), str) else ''
    if status == 401 or (status == 403 and 'server token' in told):
        # The API's one refusal for a dead or foreign server token: this launch is over.
        return (f'Orrery refused this server’s token ({told or status}). The server was stopped or relaunched: '
                'open it again from the portal.')
    if status == 429:
        return 'Orrery is busy (too many requests): try again in a moment.'
    if status >= 500:
        return f'Orrery failed to answer {what} ({told or status}). Try again; if it persists, tell an admin.'
    return told or f'Orrery answered {status} to {what}.'


class OrreryApi:
    """Calls `/servers/{name}/lab/...` with the server token."""

    def __init__(self, settings: Settings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings, self.timeout = settings, timeout

    def call(self, method: str, route: str, body: Any = None, query: Optional[Dict[str, str]] = None) -> Any:
        """One call: `route` is below /servers/{name}/lab; returns the JSON answer or raises OrreryError."""
        if self.settings.missing:
            raise OrreryError(503, 'not-configured', 'This Jupyter server was not started by Orrery: '
                              f'{", ".join(self.settings.missing)} missing from its environment.')
        name = urllib.parse.quote(self.settings.server_name, safe='')
        url = f'{self.settings.api_url}/servers/{name}/lab{route}'
        pairs = {k: v for k, v in (query or {}).items() if v not in (None, '')}
        if pairs:
            url += '?' + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body).encode()
        headers = {'Authorization': f'token {self.settings.token}', 'Accept': 'application/json',
                   'User-Agent': 'orrery-lab/1'}
        if data is not None:
            headers['Content-Type'] = 'application/json'
        what = f'the server’s {method} {route.split("?")[0]}'
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with opener_for(url).open(request, timeout=self.timeout) as response:
                return read_json(response.read())
        except urllib.error.HTTPError as exc:
            answer = read_json(exc.read(1 << 16))
            code = answer.get('error') if isinstance(answer, dict) and isinstance(answer.get('error'), str) else ''
            raise OrreryError(exc.code, code or 'api-error', api_message(exc.code, answer, what)) from None
        except (urllib.error.URLError, OSError) as exc:
            raise OrreryError(502, 'unreachable', f'Orrery’s API at {self.settings.api_url} did not answer '
                              f'({getattr(exc, "reason", exc)}). Try again in a moment.') from None

    def download(self, presigned: Any) -> bytes:
        """The body of a presigned GET from the API (a version's download)."""
        if not isinstance(presigned, dict) or not isinstance(presigned.get('url'), str):
            raise OrreryError(502, 'bad-answer', 'Orrery answered a version without its download link.')
        url = presigned['url']
        headers = presigned.get('headers') if isinstance(presigned.get('headers'), dict) else {}
        request = urllib.request.Request(url, method=presigned.get('method') or 'GET', headers=headers)
        try:
            with opener_for(url).open(request, timeout=self.timeout) as response:
                data = response.read(MAX_DOWNLOAD_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise OrreryError(502, 'download-failed', f'The notebook’s download failed ({exc.code}); its link may '
                              'have expired: try again.') from None
        except (urllib.error.URLError, OSError) as exc:
            raise OrreryError(502, 'download-failed', f'The notebook’s download failed: '
                              f'{getattr(exc, "reason", exc)}.') from None
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise OrreryError(502, 'download-failed', 'The notebook is too large to open here.')
        return data


class Sidecar:
    """The credentials sidecar's status and refresh (never its keys)."""

    def __init__(self, settings: Settings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings, self.timeout = settings, timeout

    def authorization(self) -> str:
        if self.settings.credentials_token:
            return self.settings.credentials_token
        try:
            with open(self.settings.credentials_token_file, encoding='utf-8') as handle:
                return handle.read().strip()
        except OSError as exc:
            raise OrreryError(503, 'no-credentials', f'The credentials token file cannot be read: {exc.strerror}.')

    def call(self, method: str, suffix: str) -> Any:
        """GET /credentials/status or POST /credentials/refresh; raises OrreryError with the sidecar's reason."""
        if not self.settings.has_credentials:
            raise OrreryError(404, 'no-credentials', 'This server has no AWS credentials service (no role was '
                              'chosen at launch, or it runs outside Orrery).')
        base = self.settings.credentials_url.rstrip('/')
        url = base + suffix
        request = urllib.request.Request(url, data=b'' if method == 'POST' else None, method=method,
                                         headers={'Authorization': self.authorization(), 'Accept': 'application/json'})
        try:
            with opener_for(url).open(request, timeout=self.timeout) as response:
                return read_json(response.read())
        except urllib.error.HTTPError as exc:
            answer = read_json(exc.read(1 << 16))
            told = answer.get('Message') if isinstance(answer, dict) else None
            if exc.code == 403:
                raise OrreryError(403, 'token-revoked', 'This server gets no more AWS keys: it was stopped or '
                                  'relaunched.') from None
            raise OrreryError(503 if exc.code >= 500 else exc.code, 'credentials-unavailable',
                              f'The credentials service could not get keys: {told or exc.code}.') from None
        except (urllib.error.URLError, OSError) as exc:
            raise OrreryError(502, 'credentials-unreachable', 'The credentials service did not answer '
                              f'({getattr(exc, "reason", exc)}).') from None


def settings_from_environment() -> Settings:
    """The settings of this process."""
    return Settings(os.environ)
