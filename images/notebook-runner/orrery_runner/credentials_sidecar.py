"""`python3 -m orrery_runner.credentials_sidecar`: AWS keys for a notebook server, refreshed on their own.

The server pod's sidecar (locally, a process beside the server): serves the container-credentials protocol on
http://127.0.0.1:<port>/credentials (`container_credentials`) with keys from `POST {api}/servers/{name}/credentials`,
fetched with the server token (`credentials_api`). Prints one JSON line on stdout when it serves, logs on stderr,
stops cleanly on SIGTERM/SIGINT and when ORRERY_PARENT_PID is gone.

Environment:
- ORRERY_API_URL: the API's base URL (the routes are below it);
- ORRERY_SERVER_NAME: the server's name;
- ORRERY_SERVER_TOKEN_FILE (a file the notebook container cannot read) or ORRERY_SERVER_TOKEN (an environment only
  the sidecar has): the server token; the variable is removed from the environment once read;
- ORRERY_CREDENTIALS_TOKEN_FILE: where to write the authorization token for the notebook (mode 0600);
- ORRERY_CREDENTIALS_PORT: the port (default 0: any free one, reported in the ready line);
- ORRERY_CREDENTIALS_AUTHORIZATION (optional): the authorization token to require and write, at least 32 URL-safe
  characters, removed from the environment once read (default: a new random one). Local mode chooses the port and
  the token itself, so Jupyter can start with them while the sidecar is still starting;
- ORRERY_SPARK_SESSION (optional): a Spark session's id; set in its executors' pods, so the keys are the session's
  role's (the body says `{"session": "<id>"}`), not the server's;
- ORRERY_PARENT_PID (optional): exit when this process is gone;
- ORRERY_CREDENTIALS_API_TIMEOUT (optional): seconds one fetch from the API may take (default 10).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import urllib.parse
from typing import Any, Callable, Mapping, MutableMapping, Optional

# Local mode runs the sidecar from the checkout: write no __pycache__ beside it (`python3 -B` also spares the
# package's __init__).
sys.dont_write_bytecode = True

from .container_credentials import ContainerCredentialsServer, stderr_log  # noqa: E402
from .credentials_api import API_TIMEOUT_SECONDS, api_fetcher  # noqa: E402

PR_SET_DUMPABLE = 4
PR_SET_PDEATHSIG = 1
PARENT_POLL_SECONDS = 1.0
EXIT_CONFIGURATION = 2
# Session ids go into pod names and labels: DNS-label characters only.
SPARK_SESSION = re.compile(r'^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$')
AUTHORIZATION = re.compile(r'^[A-Za-z0-9_-]{32,256}$')


class ConfigurationError(Exception):
    """A missing or bad variable; the sidecar exits 2 with this message."""


class Settings:
    """What the environment says, checked."""

    def __init__(self, api_url: str, server_name: str, server_token: str, token_file: str, port: int,
                 parent_pid: Optional[int], timeout: float, spark_session: Optional[str] = None,
                 authorization: Optional[str] = None) -> None:
        self.api_url, self.server_name, self.server_token = api_url, server_name, server_token
        self.token_file, self.port, self.parent_pid, self.timeout = token_file, port, parent_pid, timeout
        self.spark_session, self.authorization = spark_session, authorization

    @property
    def credentials_body(self) -> dict:
        """`{"session": "<id>"}` in a Spark executor's pod (keys for the session's role), else `{}`."""
        return {'session': self.spark_session} if self.spark_session else {}

    @property
    def credentials_url(self) -> str:
        """POST {api}/servers/{name}/credentials."""
        return f'{self.api_url.rstrip("/")}/servers/{urllib.parse.quote(self.server_name, safe="")}/credentials'


def required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, '').strip()
    if not value:
        raise ConfigurationError(f'{name} is required')
    return value


def number(environ: Mapping[str, str], name: str, default: str, kind: Callable[[str], Any]) -> Any:
    text = environ.get(name, '').strip() or default
    try:
        value = kind(text)
    except ValueError:
        raise ConfigurationError(f'{name} must be a number: {text!r}') from None
    if value < 0:
        raise ConfigurationError(f'{name} must not be negative: {text!r}')
    return value


def read_server_token(environ: MutableMapping[str, str]) -> str:
    """The server token from ORRERY_SERVER_TOKEN_FILE or ORRERY_SERVER_TOKEN, removed from `environ` once read."""
    from_environment = environ.pop('ORRERY_SERVER_TOKEN', '').strip()
    path = environ.get('ORRERY_SERVER_TOKEN_FILE', '').strip()
    if path and from_environment:
        raise ConfigurationError('set ORRERY_SERVER_TOKEN_FILE or ORRERY_SERVER_TOKEN, not both')
    if path:
        try:
            with open(path, encoding='utf-8') as handle:
                token = handle.read().strip()
        except OSError as exc:
            raise ConfigurationError(f'ORRERY_SERVER_TOKEN_FILE {path}: {exc.strerror}') from None
        if not token:
            raise ConfigurationError(f'ORRERY_SERVER_TOKEN_FILE {path} is empty')
        return token
    if not from_environment:
        raise ConfigurationError('ORRERY_SERVER_TOKEN_FILE or ORRERY_SERVER_TOKEN is required')
    return from_environment


def read_settings(environ: MutableMapping[str, str]) -> Settings:
    """The sidecar's settings from its environment (see the module's doc)."""
    api_url = required(environ, 'ORRERY_API_URL')
    if urllib.parse.urlsplit(api_url).scheme not in ('http', 'https'):
        raise ConfigurationError(f'ORRERY_API_URL must be an http(s) URL: {api_url!r}')
    server_name = required(environ, 'ORRERY_SERVER_NAME')
    token_file = required(environ, 'ORRERY_CREDENTIALS_TOKEN_FILE')
    if not os.path.isdir(os.path.dirname(os.path.abspath(token_file))):
        raise ConfigurationError(f'ORRERY_CREDENTIALS_TOKEN_FILE {token_file}: its directory does not exist')
    port = number(environ, 'ORRERY_CREDENTIALS_PORT', '0', int)
    if port > 65535:
        raise ConfigurationError(f'ORRERY_CREDENTIALS_PORT out of range: {port}')
    parent = number(environ, 'ORRERY_PARENT_PID', '0', int) or None
    timeout = number(environ, 'ORRERY_CREDENTIALS_API_TIMEOUT', str(API_TIMEOUT_SECONDS), float)
    session = environ.get('ORRERY_SPARK_SESSION', '').strip() or None
    if session is not None and not SPARK_SESSION.match(session):
        raise ConfigurationError(f'ORRERY_SPARK_SESSION is not a session id: {session[:64]!r}')
    authorization = environ.pop('ORRERY_CREDENTIALS_AUTHORIZATION', '').strip() or None
    if authorization is not None and not AUTHORIZATION.match(authorization):
        raise ConfigurationError('ORRERY_CREDENTIALS_AUTHORIZATION must be 32 to 256 URL-safe characters')
    return Settings(api_url, server_name, read_server_token(environ), token_file, port, parent, timeout or 1.0,
                    session, authorization)


def prctl(option: int, value: int) -> bool:
    """Linux prctl(option, value); False where there is none."""
    if not sys.platform.startswith('linux'):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def parent_gone(parent: int, direct: bool) -> bool:
    """Whether the process the sidecar lives for has ended."""
    if direct:
        return os.getppid() != parent  # re-parented: the parent died (a zombie parent still answers kill 0)
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return False


def serve(settings: Settings, stop: threading.Event, out: Any = None) -> int:
    """Serves until `stop` is set or the parent is gone; returns the exit code."""
    fetch = api_fetcher(settings.credentials_url, settings.server_token, settings.timeout, settings.credentials_body)
    server = ContainerCredentialsServer(fetch, settings.token_file, settings.port, token=settings.authorization)
    try:
        server.start()
    except OSError as exc:
        stderr_log(f'cannot serve on 127.0.0.1:{settings.port} or write {settings.token_file}: {exc}')
        return 1
    direct = settings.parent_pid is not None and settings.parent_pid == os.getppid()
    if direct:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the poll below covers non-Linux and a parent that is no parent
    try:
        ready = {'ready': True, 'port': server.port, 'url': server.url, 'tokenFile': server.token_file}
        print(json.dumps(ready), file=out or sys.stdout, flush=True)
        session = f' (Spark session {settings.spark_session})' if settings.spark_session else ''
        stderr_log(f'serving {server.url} for server {settings.server_name}{session}')
        while not stop.wait(PARENT_POLL_SECONDS):
            if settings.parent_pid is not None and parent_gone(settings.parent_pid, direct):
                stderr_log(f'process {settings.parent_pid} is gone; stopping')
                break
    finally:
        server.close()
    stderr_log('stopped')
    return 0


def main(environ: Optional[MutableMapping[str, str]] = None) -> int:
    """Reads the settings, hides the server token from same-uid processes, serves; returns the exit code."""
    try:
        settings = read_settings(os.environ if environ is None else environ)
    except ConfigurationError as exc:
        stderr_log(str(exc))
        return EXIT_CONFIGURATION
    # Locally the notebook's kernel runs as the same user: non-dumpable, /proc/<sidecar>/environ (which still holds
    # ORRERY_SERVER_TOKEN after the pop) and its memory need CAP_SYS_PTRACE, which the kernel lacks.
    if not prctl(PR_SET_DUMPABLE, 0):
        stderr_log('could not make the process non-dumpable (not Linux?); keep the notebook under another user')
    stop = threading.Event()

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return serve(settings, stop)


if __name__ == '__main__':
    sys.exit(main())
