"""A real `jupyter server` (Debian's) with orrery_lab's handlers, talking to a fake Orrery; clients for the tests."""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import pytest

LAB = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(LAB))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_orrery import FakeOrrery  # noqa: E402

PYTHON = '/usr/bin/python3'
TOKEN = 'server-token-0123456789abcdef'
SIDECAR_TOKEN = 'sidecar-authorization-abc'
# Loads only the handlers (orrery_lab's own extension also serves the built JupyterLab, which tests need not build).
SHIM = '''
from orrery_lab import handlers
def _jupyter_server_extension_points():
    return [{"module": "orrery_lab_handlers_only"}]
def _load_jupyter_server_extension(server_app):
    handlers.setup_handlers(server_app)
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Jupyter:
    """A running Jupyter server and a browser-like client (cookies, XSRF) or a token client."""

    def __init__(self, root: Path, port: int, process: subprocess.Popen) -> None:
        self.root, self.port, self.process = root, port, process
        self.url = f'http://127.0.0.1:{port}'
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(self.jar))

    def sign_in(self) -> None:
        """As a browser does: the token in the URL once, then the session cookie and the _xsrf cookie."""
        self.opener.open(f'{self.url}/login?next=%2F', timeout=10).read()
        self.opener.open(f'{self.url}/api/status?token={TOKEN}', timeout=10).read()

    def xsrf(self) -> str:
        return next((c.value for c in self.jar if c.name == '_xsrf'), '')

    def call(self, method: str, path: str, body: Any = None, token: bool = False, xsrf: bool = True,
             signed_in: bool = True) -> Tuple[int, Any]:
        """One request to the Jupyter server; returns (status, JSON body)."""
        headers: Dict[str, str] = {'Content-Type': 'application/json'}
        if token:
            headers['Authorization'] = f'token {TOKEN}'
        if xsrf and self.xsrf():
            headers['X-XSRFToken'] = self.xsrf()
        data = None if body is None else json.dumps(body).encode()
        if data is None and method in ('POST', 'PUT'):
            data = b'{}'
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        opener = self.opener if signed_in else urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b'null')
        except urllib.error.HTTPError as exc:
            text = exc.read()
            try:
                return exc.code, json.loads(text or b'null')
            except ValueError:
                return exc.code, text.decode(errors='replace')


def start_jupyter(tmp: Path, environment: Dict[str, str]) -> Jupyter:
    shim_dir, root = tmp / 'shim', tmp / 'root'
    shim_dir.mkdir()
    root.mkdir()
    (shim_dir / 'orrery_lab_handlers_only.py').write_text(SHIM)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(('ORRERY_', 'AWS_', 'JUPYTER'))}
    env.update({'PYTHONPATH': f'{shim_dir}{os.pathsep}{LAB}', 'PYTHONDONTWRITEBYTECODE': '1',
                'JUPYTER_TOKEN': TOKEN, 'HOME': str(tmp), 'JUPYTER_CONFIG_DIR': str(tmp / 'config'),
                'JUPYTER_DATA_DIR': str(tmp / 'data'), 'JUPYTER_RUNTIME_DIR': str(tmp / 'runtime'), **environment})
    args = [PYTHON, '-m', 'jupyter_server', '--no-browser', f'--port={port}', '--port-retries=0',
            '--allow-root', '--ServerApp.ip=127.0.0.1', f'--ServerApp.root_dir={root}',
            '--ServerApp.jpserver_extensions=orrery_lab_handlers_only=True']
    log = open(tmp / 'jupyter.log', 'wb')
    process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(root))
    jupyter = Jupyter(root, port, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'jupyter server exited: {(tmp / "jupyter.log").read_text()[-2000:]}')
        try:
            status, _ = jupyter.call('GET', '/api/status', token=True, signed_in=False)
            if status == 200:
                return jupyter
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f'jupyter server did not answer: {(tmp / "jupyter.log").read_text()[-2000:]}')


def stop(jupyter: Optional[Jupyter]) -> None:
    if jupyter is None:
        return
    jupyter.process.terminate()
    try:
        jupyter.process.wait(10)
    except subprocess.TimeoutExpired:
        jupyter.process.kill()
        jupyter.process.wait(10)


@pytest.fixture(scope='session')
def orrery():
    """The fake Orrery, shared by the tests (reset before each)."""
    fake = FakeOrrery()
    yield fake
    fake.close()


@pytest.fixture(scope='session')
def jupyter_server(orrery, tmp_path_factory):
    """A Jupyter server Orrery started: API, server name, portal and credentials variables set."""
    server = start_jupyter(tmp_path_factory.mktemp('jupyter'), {
        'ORRERY_API_URL': f'{orrery.url}/api', 'ORRERY_SERVER_NAME': 'lab one', 'ORRERY_PORTAL_URL':
            'http://portal.test', 'AWS_CONTAINER_CREDENTIALS_FULL_URI': f'{orrery.url}/credentials',
        'AWS_CONTAINER_AUTHORIZATION_TOKEN': SIDECAR_TOKEN})
    yield server
    stop(server)


@pytest.fixture
def jupyter(jupyter_server, orrery):
    """The shared Jupyter server, signed in, with the fake reset and the root folder emptied."""
    orrery.reset()
    for child in jupyter_server.root.iterdir():
        if child.is_file():
            child.unlink()
    if not jupyter_server.xsrf():
        jupyter_server.sign_in()
    return jupyter_server


@pytest.fixture(scope='session')
def bare_jupyter(tmp_path_factory):
    """A Jupyter server started outside Orrery: no Orrery variables."""
    server = start_jupyter(tmp_path_factory.mktemp('bare'), {})
    yield server
    stop(server)
