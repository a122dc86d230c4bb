"""Orrery's API as this server may call it: `/servers/{name}/lab/...` with the server's own token.

The Jupyter server and its kernels share the environment the platform gave them: ORRERY_API_URL, ORRERY_SERVER_NAME
and JUPYTER_TOKEN (the server token, `Authorization: token …`; the routes take no JWT). Errors become OrreryError with
the API's own message.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Mapping, Optional

# Creating a session on EKS makes Kubernetes objects before it answers; a minute bounds a hung API, not a slow one.
TIMEOUT_SECONDS = 60.0
REQUIRED = ('ORRERY_API_URL', 'ORRERY_SERVER_NAME', 'JUPYTER_TOKEN')


class OrreryError(Exception):
    """Orrery refused or could not answer: `message` is the API's sentence, `code` its error code."""

    def __init__(self, message: str, status: Optional[int] = None, code: str = 'error',
                 request_id: Optional[str] = None) -> None:
        super().__init__(message)
        self.message, self.status, self.code, self.request_id = message, status, code, request_id

    def __str__(self) -> str:
        return f'{self.message} (request {self.request_id})' if self.request_id else self.message


def _token(environ: Mapping[str, str]) -> str:
    token = environ.get('JUPYTER_TOKEN', '').strip()
    if token or not environ.get('JUPYTER_TOKEN_FILE'):
        return token
    try:
        with open(environ['JUPYTER_TOKEN_FILE'], encoding='utf-8') as handle:
            return handle.read().strip()
    except OSError:
        return ''


class ServerApi:
    """Calls below `/servers/{name}/lab` for the server this kernel runs in."""

    def __init__(self, environ: Optional[Mapping[str, str]] = None, timeout: float = TIMEOUT_SECONDS) -> None:
        environ = os.environ if environ is None else environ
        self.api_url = environ.get('ORRERY_API_URL', '').strip().rstrip('/')
        self.server_name = environ.get('ORRERY_SERVER_NAME', '').strip()
        self.token = _token(environ)
        self.timeout = timeout
        found = {'ORRERY_API_URL': self.api_url, 'ORRERY_SERVER_NAME': self.server_name, 'JUPYTER_TOKEN': self.token}
        missing = [name for name in REQUIRED if not found[name]]
        if missing:
            raise OrreryError('This kernel does not run in an Orrery notebook server: '
                              f'{", ".join(missing)} missing from its environment. Open a server from the Orrery '
                              'portal and run the notebook there.', code='not-in-orrery')

    def call(self, method: str, route: str, body: Any = None) -> Any:
        """One call; `route` is below /servers/{name}/lab. Returns the JSON answer or raises OrreryError."""
        name = urllib.parse.quote(self.server_name, safe='')
        url = f'{self.api_url}/servers/{name}/lab{route}'
        data = None if body is None else json.dumps(body).encode()
        headers = {'Authorization': f'token {self.token}', 'Accept': 'application/json', 'User-Agent': 'orrery-py/1'}
        if data is not None:
            headers['Content-Type'] = 'application/json'
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with _opener(url).open(request, timeout=self.timeout) as response:
                return _json(response.read())
        except urllib.error.HTTPError as exc:
            answer = _json(exc.read(1 << 16))
            answer = answer if isinstance(answer, dict) else {}
            told = answer.get('message') if isinstance(answer.get('message'), str) else ''
            raise OrreryError(told or f'Orrery answered {exc.code} to {method} {route}.', exc.code,
                              str(answer.get('error') or 'api-error'), answer.get('requestId')) from None
        except (urllib.error.URLError, OSError) as exc:
            raise OrreryError(f'Orrery’s API at {self.api_url} did not answer ({getattr(exc, "reason", exc)}). '
                              'Try again in a moment.', code='unreachable') from None


def _opener(url: str) -> urllib.request.OpenerDirector:
    # Locally the API is on 127.0.0.1: a developer's HTTP(S)_PROXY must not stand between.
    host = (urllib.parse.urlsplit(url).hostname or '').lower()
    loopback = host in ('localhost', '::1') or host.startswith('127.')
    return urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if loopback else []))


def _json(data: bytes) -> Any:
    try:
        return json.loads(data or b'null')
    except ValueError:
        return None
