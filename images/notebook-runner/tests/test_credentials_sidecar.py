"""The credentials sidecar as a program: its settings, its fetch from a fake API, its ready line, its end."""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fake_api import issued

from orrery_runner.credentials_sidecar import ConfigurationError, read_settings

RUNNER = Path(__file__).resolve().parents[1]


def sidecar_environment(api_url, tmp_path, **extra):
    environment = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'ORRERY_API_URL': api_url,
                   'ORRERY_SERVER_NAME': 'lab one', 'ORRERY_SERVER_TOKEN': 'srv.secret',
                   'ORRERY_CREDENTIALS_TOKEN_FILE': str(tmp_path / 'token')}
    environment.update(extra)
    return {name: value for name, value in environment.items() if value is not None}


def read_line(stream, seconds=15.0):
    """One line from a child's pipe, or '' when none comes in time."""
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ''


@pytest.fixture
def sidecar():
    """Starts `python3 -m orrery_runner.credentials_sidecar`; stops what is still running after the test."""
    children = []

    def start(environment):
        child = subprocess.Popen([sys.executable, '-B', '-m', 'orrery_runner.credentials_sidecar'], cwd=RUNNER,
                                 env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        children.append(child)
        line = read_line(child.stdout)
        assert line, child.stderr.read() if child.wait(5) is not None else 'no ready line'
        return child, json.loads(line)

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
        child.wait(10)
        child.stdout.close()
        child.stderr.close()


def get_credentials(ready):
    with open(ready['tokenFile']) as handle:
        token = handle.read()
    request = urllib.request.Request(ready['url'], headers={'Authorization': token})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_the_sidecar_says_where_it_serves_and_serves_keys_fetched_with_the_server_token(api, sidecar, tmp_path):
    # Prepare
    fake = api((200, issued('SRV', time.time() + 3600)))
    # Act
    _child, ready = sidecar(sidecar_environment(fake.url + '/api', tmp_path))
    status, body = get_credentials(ready)
    # Assess
    assert ready['url'] == f'http://127.0.0.1:{ready["port"]}/credentials'
    assert ready['tokenFile'] == str(tmp_path / 'token')
    assert status == 200
    assert (body['AccessKeyId'], body['Token']) == ('AKIASRV', 'session-SRV')
    assert [(r['method'], r['path']) for r in fake.requests] == [('POST', '/api/servers/lab%20one/credentials')]
    assert fake.requests[0]['headers']['Authorization'] == 'token srv.secret'


def test_a_spark_executors_sidecar_asks_for_its_sessions_keys(api, sidecar, tmp_path):
    # Prepare: the executor pod's sidecar names the session, so the API issues for the session's role
    fake = api((200, issued('EXE', time.time() + 3600)))
    environment = sidecar_environment(fake.url, tmp_path, ORRERY_SPARK_SESSION='s7k2m9q4')
    # Act
    _child, ready = sidecar(environment)
    status, body = get_credentials(ready)
    # Assess
    assert (status, body['AccessKeyId']) == (200, 'AKIAEXE')
    assert [(r['method'], r['path']) for r in fake.requests] == [('POST', '/servers/lab%20one/credentials')]
    assert json.loads(fake.requests[0]['body']) == {'session': 's7k2m9q4'}


def test_a_servers_own_sidecar_sends_an_empty_body(api, sidecar, tmp_path):
    # Prepare
    fake = api((200, issued('SRV', time.time() + 3600)))
    # Act
    _child, ready = sidecar(sidecar_environment(fake.url, tmp_path, ORRERY_SPARK_SESSION=''))
    get_credentials(ready)
    # Assess
    assert json.loads(fake.requests[0]['body']) == {}


def test_the_sidecar_reads_the_server_token_from_a_file(api, sidecar, tmp_path):
    # Prepare
    fake = api((200, issued('SRV', time.time() + 3600)))
    (tmp_path / 'server-token').write_text('srv.from-file\n')
    environment = sidecar_environment(fake.url, tmp_path, ORRERY_SERVER_TOKEN=None,
                                      ORRERY_SERVER_TOKEN_FILE=str(tmp_path / 'server-token'))
    # Act
    _child, ready = sidecar(environment)
    status, _body = get_credentials(ready)
    # Assess
    assert status == 200
    assert fake.requests[0]['headers']['Authorization'] == 'token srv.from-file'


def test_the_sidecar_listens_on_the_port_it_is_given(api, sidecar, tmp_path):
    # Prepare: a port that was free a moment ago
    import socket

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    fake = api((200, issued('SRV', time.time() + 3600)))
    # Act
    _child, ready = sidecar(sidecar_environment(fake.url, tmp_path, ORRERY_CREDENTIALS_PORT=str(port)))
    # Assess
    assert ready['port'] == port


def test_the_sidecar_requires_and_writes_the_authorization_token_it_is_given(api, sidecar, tmp_path):
    # Prepare: local mode hands the token to Jupyter before the sidecar serves
    given = 'g' * 43
    fake = api((200, issued('SRV', time.time() + 3600)))
    # Act
    _child, ready = sidecar(sidecar_environment(fake.url, tmp_path, ORRERY_CREDENTIALS_AUTHORIZATION=given))
    status, _body = get_credentials(ready)
    # Assess
    assert Path(ready['tokenFile']).read_text() == given
    assert status == 200


def test_a_stopped_servers_token_gets_403_from_the_sidecar_and_no_more_fetches(api, sidecar, tmp_path):
    # Prepare: the API no longer knows the token (stopped, culled or relaunched)
    fake = api((401, {'message': 'this server token is not valid'}))
    _child, ready = sidecar(sidecar_environment(fake.url, tmp_path))
    # Act
    first, _ = get_credentials(ready)
    second, body = get_credentials(ready)
    # Assess
    assert (first, second) == (403, 403)
    assert body['Code'] == 'TokenRevoked'
    assert len(fake.requests) == 1


def test_sigterm_stops_the_sidecar_cleanly_and_removes_the_token_file(api, sidecar, tmp_path):
    # Prepare
    fake = api((200, issued('SRV', time.time() + 3600)))
    child, ready = sidecar(sidecar_environment(fake.url, tmp_path))
    # Act
    child.send_signal(signal.SIGTERM)
    code = child.wait(10)
    # Assess
    assert code == 0
    assert not os.path.exists(ready['tokenFile'])
    assert 'stopped' in child.stderr.read()


def test_the_sidecar_exits_when_the_process_it_lives_for_is_gone(api, sidecar, tmp_path):
    # Prepare: a process that is not its parent (the local server's Jupyter, say)
    fake = api((200, issued('SRV', time.time() + 3600)))
    other = subprocess.Popen(['sleep', '60'])
    child, _ready = sidecar(sidecar_environment(fake.url, tmp_path, ORRERY_PARENT_PID=str(other.pid)))
    # Act
    other.kill()
    other.wait()
    code = child.wait(10)
    # Assess
    assert code == 0
    assert not os.path.exists(tmp_path / 'token')


def test_the_sidecar_exits_when_its_parent_is_killed(api, tmp_path):
    # Prepare: a parent that starts the sidecar with ORRERY_PARENT_PID = itself, then is SIGKILLed
    fake = api((200, issued('SRV', time.time() + 3600)))
    parent_script = textwrap.dedent(f"""
        import os, subprocess, sys, time
        env = dict(os.environ, ORRERY_PARENT_PID=str(os.getpid()))
        child = subprocess.Popen([sys.executable, '-B', '-m', 'orrery_runner.credentials_sidecar'],
                                 cwd={str(RUNNER)!r}, env=env)
        print(child.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, '-c', parent_script], env=sidecar_environment(fake.url, tmp_path),
                              stdout=subprocess.PIPE, text=True)
    sidecar_pid = int(read_line(parent.stdout))
    token_file = tmp_path / 'token'
    deadline = time.monotonic() + 15
    while not token_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    # Act
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f'/proc/{sidecar_pid}') and not zombie(sidecar_pid):
        time.sleep(0.05)
    # Assess
    gone = not os.path.exists(f'/proc/{sidecar_pid}') or zombie(sidecar_pid)
    if not gone:
        os.kill(sidecar_pid, signal.SIGKILL)
    assert gone
    assert not token_file.exists()


def zombie(pid):
    try:
        with open(f'/proc/{pid}/stat') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return False


@pytest.mark.parametrize('change, message', [
    ({'ORRERY_API_URL': None}, 'ORRERY_API_URL is required'),
    ({'ORRERY_API_URL': 'ftp://x'}, 'http(s) URL'),
    ({'ORRERY_SERVER_NAME': ''}, 'ORRERY_SERVER_NAME is required'),
    ({'ORRERY_SERVER_TOKEN': None}, 'ORRERY_SERVER_TOKEN_FILE or ORRERY_SERVER_TOKEN is required'),
    ({'ORRERY_SERVER_TOKEN_FILE': '/etc/hostname'}, 'not both'),
    ({'ORRERY_SERVER_TOKEN': None, 'ORRERY_SERVER_TOKEN_FILE': '/nonexistent'}, 'ORRERY_SERVER_TOKEN_FILE'),
    ({'ORRERY_CREDENTIALS_TOKEN_FILE': None}, 'ORRERY_CREDENTIALS_TOKEN_FILE is required'),
    ({'ORRERY_CREDENTIALS_TOKEN_FILE': '/nonexistent/token'}, 'its directory does not exist'),
    ({'ORRERY_CREDENTIALS_PORT': 'eighty'}, 'must be a number'),
    ({'ORRERY_CREDENTIALS_PORT': '70000'}, 'out of range'),
    ({'ORRERY_PARENT_PID': '-1'}, 'must not be negative'),
    ({'ORRERY_SPARK_SESSION': 'S/../other'}, 'ORRERY_SPARK_SESSION is not a session id'),
    ({'ORRERY_CREDENTIALS_AUTHORIZATION': 'short'}, 'ORRERY_CREDENTIALS_AUTHORIZATION must be 32 to 256'),
    ({'ORRERY_CREDENTIALS_AUTHORIZATION': 'x' * 40 + ' y'}, 'URL-safe characters'),
])
def test_a_missing_or_bad_setting_is_named(tmp_path, change, message):
    # Prepare
    environment = sidecar_environment('http://127.0.0.1:1', tmp_path, **change)
    # Act / Assess
    with pytest.raises(ConfigurationError, match=message.replace('(', r'\(').replace(')', r'\)')):
        read_settings(environment)


def test_the_settings_take_the_server_token_out_of_the_environment(tmp_path):
    # Prepare
    environment = sidecar_environment('http://127.0.0.1:8000/', tmp_path, ORRERY_PARENT_PID='42',
                                      ORRERY_CREDENTIALS_AUTHORIZATION='a' * 32)
    # Act
    settings = read_settings(environment)
    # Assess
    assert 'ORRERY_SERVER_TOKEN' not in environment
    assert 'ORRERY_CREDENTIALS_AUTHORIZATION' not in environment
    assert settings.authorization == 'a' * 32
    assert settings.server_token == 'srv.secret'
    assert settings.credentials_url == 'http://127.0.0.1:8000/servers/lab%20one/credentials'
    assert (settings.port, settings.parent_pid) == (0, 42)


def test_a_bad_setting_exits_2_with_the_problem_on_stderr(tmp_path):
    # Act
    child = subprocess.run([sys.executable, '-B', '-m', 'orrery_runner.credentials_sidecar'], cwd=RUNNER,
                           env=sidecar_environment('http://127.0.0.1:1', tmp_path, ORRERY_SERVER_NAME=None),
                           capture_output=True, text=True, timeout=30)
    # Assess
    assert child.returncode == 2
    assert child.stdout == ''
    assert 'ORRERY_SERVER_NAME is required' in child.stderr


def test_the_sidecar_hides_its_environment_and_memory_from_processes_of_its_own_user(api, sidecar, tmp_path):
    # Prepare: as root (CI), the sidecar runs as nobody, and a non-dumpable process's /proc files belong to root
    fake = api((200, issued('SRV', time.time() + 3600)))
    environment = sidecar_environment(fake.url, tmp_path)
    user = None
    if os.geteuid() == 0:
        user = 65534
        folder = tempfile.mkdtemp(prefix='orrery-sidecar-test-')  # pytest's tmp_path is closed to other users
        os.chmod(folder, 0o777)
        environment['ORRERY_CREDENTIALS_TOKEN_FILE'] = os.path.join(folder, 'token')
        probe = subprocess.run([sys.executable, '-c', 'import orrery_runner'], cwd=RUNNER, user=user,
                               capture_output=True, timeout=30)
        if probe.returncode != 0:
            pytest.skip('user nobody cannot read the checkout')
    child = subprocess.Popen([sys.executable, '-B', '-m', 'orrery_runner.credentials_sidecar'], cwd=RUNNER,
                             env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, user=user)
    try:
        assert read_line(child.stdout), child.stderr.read() if child.wait(5) is not None else 'no ready line'
        # Act
        owner = os.stat(f'/proc/{child.pid}/environ').st_uid
        if user is None:
            with pytest.raises(PermissionError):
                open(f'/proc/{child.pid}/environ', 'rb').close()
    finally:
        child.terminate()
        child.wait(10)
        child.stdout.close()
        child.stderr.close()
        if user is not None:
            shutil.rmtree(folder, ignore_errors=True)
    # Assess
    assert owner == 0
