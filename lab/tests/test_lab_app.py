"""orrery_lab's lab app on Debian's jupyter_server 1.23 and jupyterlab_server 2.16, against a stand-in build.

The real build (lab/build) is tested in the browser (web/e2e/jupyterlab.test.ts); here a folder with a bundle.js is
enough to see what the server answers: /lab, its page config, the stand-ins, and the pages while there is no build.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

LAB = Path(__file__).resolve().parents[1]
PYTHON = '/usr/bin/python3'
TOKEN = 'lab-app-token-0123456789'
BASE = '/user/ada/dev/'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Server:
    """A `jupyter server` with orrery_lab loaded as local servers load it, and a token-holding client."""

    def __init__(self, tmp: Path, environment: dict, extra_path: str = '') -> None:
        self.tmp = tmp
        root = tmp / 'work'
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}{BASE}'
        env = {k: v for k, v in os.environ.items() if not k.startswith(('ORRERY_', 'JUPYTER', 'PYTHONPATH'))}
        env.update({
            'PYTHONPATH': os.pathsep.join(p for p in (extra_path, str(LAB)) if p),
            'PYTHONDONTWRITEBYTECODE': '1', 'JUPYTER_TOKEN': TOKEN, 'HOME': str(tmp),
            'JUPYTER_CONFIG_DIR': str(tmp / 'config'), 'JUPYTER_DATA_DIR': str(tmp / 'data'),
            'JUPYTER_RUNTIME_DIR': str(tmp / 'runtime'), **environment,
        })
        args = [PYTHON, '-m', 'jupyter_server', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={self.port}',
                '--ServerApp.port_retries=0', f'--ServerApp.base_url={BASE}', '--ServerApp.open_browser=False',
                f'--ServerApp.root_dir={root}', '--ServerApp.allow_root=True',
                '--ServerApp.jpserver_extensions=orrery_lab=True',
                f'--OrreryLabApp.user_settings_dir={tmp / "lab" / "user-settings"}',
                f'--OrreryLabApp.workspaces_dir={tmp / "lab" / "workspaces"}']
        self.log = tmp / 'jupyter.log'
        with open(self.log, 'wb') as log:
            self.process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(root))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'jupyter server exited: {self.log.read_text()[-2000:]}')
            try:
                if self.get('api/status')[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f'jupyter server did not answer: {self.log.read_text()[-2000:]}')

    def get(self, path: str, token: bool = True, method: str = 'GET'):
        """(status, headers, body text) without following redirects."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
        headers = {'Authorization': f'token {TOKEN}'} if token else {}
        request = urllib.request.Request(self.url + path, method=method, headers=headers,
                                         data=b'{}' if method == 'POST' else None)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode(errors='replace')

    def page_config(self, path: str) -> dict:
        status, _, body = self.get(path)
        assert status in (200, 404), (status, body[:500])
        found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.S)
        assert found, body[:500]
        return json.loads(found.group(1))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def fake_build(lab: Path) -> Path:
    """A build folder as scripts/build-lab.mjs leaves it, minus the real bundle."""
    build = lab / 'build'
    (build / 'schemas').mkdir(parents=True)
    (build / 'themes').mkdir()
    (build / 'bundle.js').write_text('/* stand-in */\n')
    (build / 'orrery-lab.json').write_text(json.dumps({'jupyterlab': '4.6.6'}))
    return build


@pytest.fixture(scope='module')
def lab_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('lab-app')
    build = fake_build(tmp / 'checkout-lab')
    server = Server(tmp, {'ORRERY_LAB_STATIC_DIR': str(build)})
    server.build = build
    yield server
    server.stop()


def test_the_server_root_and_tree_addresses_land_on_lab_keeping_the_token(lab_server):
    # Act
    root = lab_server.get(f'?token={TOKEN}', token=False)
    tree = lab_server.get(f'tree/folder/a.ipynb?token={TOKEN}', token=False)
    bare_tree = lab_server.get('tree')
    # Assess
    assert (root[0], root[1]['Location']) == (302, f'{BASE}lab?token={TOKEN}')
    assert (tree[0], tree[1]['Location']) == (302, f'{BASE}lab/tree/folder/a.ipynb?token={TOKEN}')
    assert (bare_tree[0], bare_tree[1]['Location']) == (302, f'{BASE}lab')


def test_lab_serves_the_built_app_with_its_version_and_the_servers_own_settings_folder(lab_server):
    # Act
    status, _, body = lab_server.get('lab')
    config = lab_server.page_config('lab')
    bundle = lab_server.get('static/orrery_lab_app/bundle.js')
    # Assess
    assert status == 200
    assert f'src="{BASE}static/orrery_lab_app/bundle.js"' in body
    assert config['appVersion'] == '4.6.6'
    assert config['baseUrl'] == BASE
    assert config['userSettingsDir'] == str(lab_server.tmp / 'lab' / 'user-settings')
    assert config['federated_extensions'] == []
    assert (bundle[0], bundle[2]) == (200, '/* stand-in */\n')


def test_a_404_under_lab_leaves_no_not_found_path_in_the_next_page_config(lab_server):
    # Prepare
    missing = lab_server.page_config('lab/no/such/page')
    # Act
    after = lab_server.page_config('lab')
    again = lab_server.page_config('lab/tree/a.ipynb')
    # Assess
    assert missing['notFoundUrl'] == f'{BASE}lab/no/such/page'
    assert 'notFoundUrl' not in after
    assert 'notFoundUrl' not in again


def test_api_me_answers_the_token_holder_with_the_permissions_asked_and_refuses_a_stranger(lab_server):
    # Act
    asked = urllib.request.quote(json.dumps({'contents': ['read', 'write']}))
    status, _, body = lab_server.get(f'api/me?permissions={asked}')
    stranger = lab_server.get('api/me', token=False)
    bad = lab_server.get('api/me?permissions=nope')
    # Assess
    me = json.loads(body)
    assert status == 200
    assert me['permissions'] == {'contents': ['read', 'write']}
    assert set(me['identity']) >= {'username', 'name', 'display_name', 'initials'}
    assert me['identity']['username']
    assert stranger[0] == 403
    assert bad[0] == 400


def test_the_events_socket_stays_open_for_the_token_holder_and_refuses_a_stranger(lab_server):
    async def attempt(token: bool):
        url = f'ws://127.0.0.1:{lab_server.port}{BASE}api/events/subscribe' + (f'?token={TOKEN}' if token else '')
        try:
            socket_ = await websocket_connect(url, connect_timeout=10)
        except Exception as err:  # noqa: BLE001 - the refusal is what this looks for
            return f'refused: {getattr(err, "code", err)}'
        # Nothing is ever sent: a read that is still waiting after a second means the socket stayed open.
        try:
            message = await asyncio.wait_for(socket_.read_message(), 1.0)
        except asyncio.TimeoutError:
            socket_.close()
            return 'open'
        return f'message or close: {message!r}'

    # Act
    holder = asyncio.run(attempt(True))
    stranger = asyncio.run(attempt(False))
    posted = lab_server.get('api/events', method='POST')
    # Assess
    assert holder == 'open'
    assert stranger == 'refused: 403'
    assert posted[0] == 204


def test_lab_says_whether_jupyterlab_is_being_built_failed_or_missing_then_serves_it_without_a_restart(tmp_path):
    # Prepare
    lab = tmp_path / 'checkout-lab'
    build = fake_build(lab)
    (build / 'bundle.js').unlink()
    (lab / '.build-lock').mkdir()
    server = Server(tmp_path, {'ORRERY_LAB_STATIC_DIR': str(build)})
    try:
        # Act
        building = server.get('lab')
        tree = server.get('lab/tree/a.ipynb')
        stranger = server.get('lab', token=False)
        (lab / '.build-lock').rmdir()
        (lab / '.build-failed').write_text('npm ci in lab/ failed (exit 1)\n')
        failed = server.get('lab')
        (lab / '.build-failed').unlink()
        missing = server.get('lab')
        (build / 'bundle.js').write_text('/* stand-in */\n')
        ready = server.get('lab')
    finally:
        server.stop()
    # Assess
    assert building[0] == 503 and building[1]['Retry-After'] == '10'
    assert 'JupyterLab is being built' in building[2] and 'http-equiv="refresh"' in building[2]
    assert str(lab / 'build.log') in building[2]
    assert tree[0] == 503 and 'JupyterLab is being built' in tree[2]
    assert stranger[0] == 302 and '/login' in stranger[1]['Location']
    assert failed[0] == 503 and 'JupyterLab is not built' in failed[2]
    assert 'npm ci in lab/ failed (exit 1)' in failed[2] and 'npm run build:lab' in failed[2]
    assert 'http-equiv="refresh"' not in failed[2]
    assert missing[0] == 503 and 'JupyterLab is not built' in missing[2] and 'The last build failed' not in missing[2]
    assert 'http-equiv="refresh" content="30"' in missing[2]
    assert ready[0] == 200 and 'jupyter-config-data' in ready[2]


def test_a_server_whose_python_has_jupyterlab_loads_only_the_orrery_routes(tmp_path):
    # Prepare: a stand-in `jupyterlab` package on the path, as in the notebook-server image, and no build variable.
    fake = tmp_path / 'site'
    (fake / 'jupyterlab').mkdir(parents=True)
    (fake / 'jupyterlab' / '__init__.py').write_text('')
    server = Server(tmp_path, {}, extra_path=str(fake))
    try:
        # Act
        lab = server.get('lab')
        me = server.get('api/me')
        log = server.log.read_text()
    finally:
        server.stop()
    # Assess
    assert lab[0] == 404
    assert me[0] == 404
    assert 'orrery_lab | extension was successfully loaded' in log


def test_without_jupyterlab_server_lab_says_what_to_install(tmp_path):
    # Prepare: a path entry whose jupyterlab_server cannot be imported, as on a machine without the Debian package.
    broken = tmp_path / 'site'
    (broken / 'jupyterlab_server').mkdir(parents=True)
    (broken / 'jupyterlab_server' / '__init__.py').write_text('raise ImportError("no jupyterlab_server here")\n')
    build = fake_build(tmp_path / 'checkout-lab')
    server = Server(tmp_path, {'ORRERY_LAB_STATIC_DIR': str(build)}, extra_path=str(broken))
    try:
        # Act
        lab = server.get('lab')
        root = server.get('')
    finally:
        server.stop()
    # Assess
    assert lab[0] == 503
    assert 'JupyterLab cannot be served here' in lab[2] and 'python3-jupyterlab-server' in lab[2]
    assert root[0] == 302 and root[1]['Location'].rstrip('?') == f'{BASE}lab'

