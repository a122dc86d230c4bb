"""warm_server.py: a Jupyter server started ahead, which waits for one launch's job and becomes that server."""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from warm_server import EXIT_NO_JOB, read_job

SCRIPT = Path(__file__).resolve().parents[1] / 'warm_server.py'


def start(tmp_path, **extra):
    environment = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'ORRERY_WARM_SERVER': 'warm-test', **extra}
    return subprocess.Popen([sys.executable, '-B', str(SCRIPT)], cwd=tmp_path, env=environment, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def line_from(child, seconds=30.0):
    ready, _, _ = select.select([child.stdout], [], [], seconds)
    return json.loads(child.stdout.readline()) if ready else None


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def answers(url, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.05)
    return None


@pytest.mark.parametrize('job, message', [
    ({'args': '--port=1', 'environment': {}, 'cwd': '/'}, 'args must be a list of strings'),
    ({'args': [], 'environment': {'A': 1}, 'cwd': '/'}, 'environment must map names to strings'),
    ({'args': [], 'environment': {}, 'cwd': '/nonexistent/folder'}, 'cwd is not a folder'),
    (['--port=1'], 'the job must be a JSON object'),
])
def test_a_job_that_does_not_say_how_to_start_is_refused_with_the_reason(job, message):
    # Act / Assess
    with pytest.raises(ValueError, match=message):
        read_job(json.dumps(job))


def test_it_says_it_is_ready_and_exits_4_when_no_launch_comes(tmp_path):
    # Act
    child = start(tmp_path)
    ready = line_from(child)
    child.stdin.close()
    # Assess
    assert ready == {'ready': True}
    assert child.wait(30) == EXIT_NO_JOB
    child.stdout.close()
    child.stderr.close()


def test_it_becomes_the_launched_server_with_the_jobs_environment_and_folder(tmp_path):
    # Prepare: a job as local mode writes it, with a variable the waiting process did not have
    work = tmp_path / 'work'
    work.mkdir()
    port = free_port()
    args = ['--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}', '--ServerApp.port_retries=0',
            '--ServerApp.base_url=/user/alice/lab/', '--ServerApp.open_browser=False', f'--ServerApp.root_dir={work}']
    if os.getuid() == 0:
        args.append('--ServerApp.allow_root=True')
    environment = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'JUPYTER_TOKEN': 'server-token',
                   'JUPYTER_RUNTIME_DIR': str(tmp_path / 'runtime'), 'ORRERY_SERVER_ID': 'srv-1',
                   'HOME': str(tmp_path)}
    (work / 'hello.txt').write_text('hi')
    child = start(tmp_path)
    try:
        assert line_from(child) == {'ready': True}
        # Act
        child.stdin.write(json.dumps({'args': args, 'environment': environment, 'cwd': str(work)}) + '\n')
        child.stdin.close()
        accepted = line_from(child)
        listing = answers(f'http://127.0.0.1:{port}/user/alice/lab/api/contents?token=server-token')
        # Assess: it serves the job's folder with the job's token; its environment is the job's, not the wait's
        assert accepted == {'accepted': True}
        assert listing is not None, child.stderr.read() if child.poll() is not None else 'no answer'
        assert [entry['name'] for entry in listing['content']] == ['hello.txt']
        runtime = list((tmp_path / 'runtime').glob('jpserver-*.json'))
        assert runtime, 'the server wrote no runtime file where JUPYTER_RUNTIME_DIR says'
        assert Path(f'/proc/{child.pid}/cwd').resolve() == work
        # …and from the job on its stdout (which kernels inherit) is /dev/null, as a cold server's is
        assert os.readlink(f'/proc/{child.pid}/fd/1') == '/dev/null'
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(30)
        child.stdout.close()
        child.stderr.close()
