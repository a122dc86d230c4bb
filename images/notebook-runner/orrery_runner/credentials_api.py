"""Keys from Orrery's API for the container-credentials server, and the runner's helper that serves them to a kernel.

`api_fetcher()` is the server's fetch(): `POST {api}/servers/{name}/credentials` (the sidecar) or
`POST {api}/runs/{id}/credentials` (the runner) with `Authorization: token <server or run token>`.
Standard library only, Python >= 3.9.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Optional, Tuple

from .container_credentials import FULL_URI_VARIABLE, ContainerCredentialsServer
from .credential_cache import FetchFailed, TokenDead

# The API runs a Lambda that assumes a role: seconds, not milliseconds. Clients time out sooner (botocore 2 s, the
# JS SDK 1 s) and retry; the fetch goes on without them, and their retry waits for its result.
API_TIMEOUT_SECONDS = 10.0
# The API's answers that mean the token itself is dead: the server or run stopped, was culled or relaunched.
DEAD_TOKEN_STATUSES = frozenset({401, 403, 404})
# What a run's kernel gets instead of the token file: the token itself. Debian 12's botocore 1.29 (the runner's
# kernels' boto3 on Debian) reads only this variable; every newer SDK reads it too. Never both: an SDK that sees
# both may refuse (the JS SDK) or prefer either.
TOKEN_VARIABLE = 'AWS_CONTAINER_AUTHORIZATION_TOKEN'


def is_loopback_url(url: str) -> bool:
    """Whether a URL's host is this machine (then no proxy may stand between)."""
    host = (urllib.parse.urlsplit(url).hostname or '').lower()
    return host in ('localhost', '::1') or host.startswith('127.')


def api_fetcher(url: str, token: str, timeout: float = API_TIMEOUT_SECONDS,
                body: Optional[Dict[str, str]] = None) -> Callable[[], Any]:
    """A fetch() that POSTs `body` (default `{}`) to an Orrery credentials route with `Authorization: token <token>`.

    401/403/404 raise TokenDead; anything else that is not a JSON 200 raises FetchFailed with a short reason.
    """
    handlers = [urllib.request.ProxyHandler({})] if is_loopback_url(url) else []
    opener = urllib.request.build_opener(*handlers)
    public = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)[:3] + ('', ''))
    data = json.dumps(body or {}).encode()

    def fetch() -> Any:
        request = urllib.request.Request(url, data=data, method='POST', headers={
            'Authorization': f'token {token}', 'Content-Type': 'application/json',
            'Accept': 'application/json', 'User-Agent': 'orrery-credentials/1'})
        try:
            with opener.open(request, timeout=timeout) as response:
                return json.loads(response.read(1 << 20))
        except urllib.error.HTTPError as exc:
            if exc.code in DEAD_TOKEN_STATUSES:
                raise TokenDead(f'POST {public} answered {exc.code}') from None
            raise FetchFailed(f'POST {public} answered {exc.code}') from None
        except (urllib.error.URLError, OSError) as exc:
            raise FetchFailed(f'POST {public} failed: {getattr(exc, "reason", exc)}') from None
        except ValueError:
            raise FetchFailed(f'POST {public} answered something that is not JSON') from None

    return fetch


def start_for_run(api_url: str, run_id: str, run_token: str, kernel_cwd: str,
                  directory: Optional[str] = None, port: int = 0) -> Tuple[ContainerCredentialsServer, Dict[str, str]]:
    """Starts the server for a run's kernel (keys from POST {api}/runs/{id}/credentials with the run token).

    Returns the started server (close() it when the kernel is gone) and the two variables to put in the
    kernel's environment: AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN (the token
    itself, which every SDK the kernel may have reads, Debian 12's botocore 1.29 included; not the _FILE variable).
    The server still keeps its token file, in a fresh 0700 directory under `directory` (default: the temporary
    directory), never under the kernel's working directory, whose files a run may save or share.
    """
    base = os.path.realpath(directory or tempfile.gettempdir())
    cwd = os.path.realpath(kernel_cwd)
    if base == cwd or base.startswith(cwd.rstrip(os.sep) + os.sep):
        raise ValueError(f'the token directory {base} is inside the kernel working directory {cwd}')
    folder = tempfile.mkdtemp(prefix='orrery-credentials-', dir=base)
    url = f'{api_url.rstrip("/")}/runs/{urllib.parse.quote(run_id, safe="")}/credentials'
    server = RunCredentialsServer(api_fetcher(url, run_token), os.path.join(folder, 'token'), port, folder)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server, server.environment()


class RunCredentialsServer(ContainerCredentialsServer):
    """The runner's server: gives the token itself, and removes the folder start_for_run made for its token file."""

    def __init__(self, fetch: Callable[[], Any], token_file: str, port: int, folder: str) -> None:
        super().__init__(fetch, token_file, port)
        self.folder = folder

    def environment(self) -> Dict[str, str]:
        """The kernel's two variables: the URL and the authorization token itself (see start_for_run)."""
        return {FULL_URI_VARIABLE: self.url, TOKEN_VARIABLE: self._token}

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.folder, ignore_errors=True)
