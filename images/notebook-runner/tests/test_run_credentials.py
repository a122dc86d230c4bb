"""A run's role in the runner: its settings taken from the environment, and its keys served to the kernel."""

import os
import subprocess
import sys
import time

import pytest
from conftest import require
from fake_api import issued

from orrery_runner import main as entry
from orrery_runner.outcome import BadInput
from orrery_runner.run_credentials import RunCredentials, serve_run_credentials, take_run_credentials

SETTINGS = {'ORRERY_RUN_ROLE': 'analyst', 'ORRERY_API_URL': 'http://127.0.0.1:1/api', 'ORRERY_RUN_ID': 'run-1',
            'ORRERY_RUN_TOKEN': 'run-token-secret'}


def test_takes_the_token_role_and_url_out_of_the_environment_and_keeps_the_run_id():
    # Prepare
    environ = {**SETTINGS, 'PATH': '/usr/bin'}
    # Act
    credentials = take_run_credentials(environ)
    # Assess
    assert credentials == RunCredentials('analyst', 'http://127.0.0.1:1/api', 'run-1', 'run-token-secret')
    assert environ == {'ORRERY_RUN_ID': 'run-1', 'PATH': '/usr/bin'}
    assert 'run-token-secret' not in repr(credentials)


def test_a_run_without_a_role_gets_nothing_and_a_stray_token_is_removed_all_the_same():
    # Prepare
    environ = {'ORRERY_RUN_TOKEN': 'stray', 'ORRERY_API_URL': 'http://x', 'ORRERY_RUN_ID': 'run-1'}
    # Act
    credentials = take_run_credentials(environ)
    # Assess
    assert credentials is None
    assert environ == {'ORRERY_RUN_ID': 'run-1'}


def test_a_role_without_the_token_or_the_api_is_bad_input_naming_what_is_missing():
    # Act / Assess
    with pytest.raises(BadInput, match='ORRERY_API_URL, ORRERY_RUN_TOKEN is not'):
        take_run_credentials({'ORRERY_RUN_ROLE': 'analyst', 'ORRERY_RUN_ID': 'run-1'})


def test_serves_the_kernel_the_url_and_the_authorization_token_and_drops_what_would_shadow_them(api, tmp_path):
    # Prepare
    fake = api((200, issued('RUN', time.time() + 3600)))
    cwd = tmp_path / 'work'
    cwd.mkdir()
    environ = {'AWS_ACCESS_KEY_ID': 'AKIADEVELOPER', 'AWS_SECRET_ACCESS_KEY': 's', 'AWS_PROFILE': 'dev',
               'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': '/elsewhere', 'AWS_REGION': 'eu-west-1'}
    credentials = RunCredentials('analyst', fake.url + '/api', 'run-1', 'run-token-secret')
    # Act
    server = serve_run_credentials(credentials, str(cwd), environ)
    try:
        url = server.url
    finally:
        server.close()
    # Assess
    assert sorted(environ) == ['AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
                               'AWS_REGION', 'AWS_SHARED_CREDENTIALS_FILE']
    assert environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'] == url
    assert environ['AWS_SHARED_CREDENTIALS_FILE'] == os.devnull
    assert 'run-token-secret' not in environ.values()


def test_a_run_without_a_role_leaves_the_kernels_environment_alone(tmp_path):
    # Prepare
    environ = {'AWS_PROFILE': 'dev'}
    # Act
    server = serve_run_credentials(None, str(tmp_path), environ)
    # Assess
    assert server is None and environ == {'AWS_PROFILE': 'dev'}


def test_a_server_that_cannot_start_is_bad_input_naming_the_role(tmp_path):
    # Prepare
    def refuse(*_args):
        raise OSError('address in use')

    # Act / Assess
    with pytest.raises(BadInput, match="could not serve role 'analyst' to the kernel: address in use"):
        serve_run_credentials(RunCredentials('analyst', 'http://x', 'run-1', 't'), str(tmp_path), {}, start=refuse)


def test_botocore_in_a_child_process_reads_the_runs_keys_from_exactly_that_environment(api, tmp_path):
    # Prepare: a child with only the kernel's environment, as the kernel is started.
    require('botocore', 'apt-get install python3-boto3')
    fake = api((200, issued('KERNEL', time.time() + 3600)))
    environ = {'PATH': os.environ.get('PATH', ''), 'HOME': str(tmp_path), 'NO_PROXY': '127.0.0.1',
               'AWS_EC2_METADATA_DISABLED': 'true', 'AWS_CONFIG_FILE': str(tmp_path / 'none')}
    server = serve_run_credentials(RunCredentials('analyst', fake.url, 'run-1', 't'), str(tmp_path), environ)
    script = ('import botocore.session; '
              'print(botocore.session.get_session().get_credentials().get_frozen_credentials().access_key)')
    # Act
    try:
        child = subprocess.run([sys.executable, '-c', script], env=environ, capture_output=True, text=True,
                               timeout=60)
    finally:
        server.close()
    # Assess
    assert child.stdout.strip() == 'AKIAKERNEL', child.stderr
    assert fake.requests[0]['path'] == '/runs/run-1/credentials'


def test_main_serves_the_kernel_before_it_starts_and_stops_serving_when_the_run_ends(tmp_path, monkeypatch, capsys):
    # Prepare: an execution that looks at the environment its kernel would inherit, and a server that counts closes.
    seen = {}
    closed = []

    class Server:
        url = 'http://127.0.0.1:9/credentials'

        def close(self):
            closed.append(True)

    def start(api_url, run_id, token, cwd):
        seen['fetch'] = (api_url, run_id, token, cwd)
        return Server(), {'AWS_CONTAINER_CREDENTIALS_FULL_URI': Server.url, 'AWS_CONTAINER_AUTHORIZATION_TOKEN': 'k'}

    class Execution:
        limiter = type('Limiter', (), {'summary': staticmethod(lambda: None)})

        def __init__(self, *_args):
            pass

        async def run(self):
            seen['kernel'] = {k: v for k, v in os.environ.items() if k.startswith(('AWS_', 'ORRERY_'))}
            return entry.Outcome('COMPLETED'), 0.1, True

    # The runner changes its own environment for the kernel: here a copy stands in for it, put back after the test.
    monkeypatch.setattr(os, 'environ', {'PATH': os.environ.get('PATH', ''), **SETTINGS})
    monkeypatch.setattr(entry, 'serve_run_credentials',
                        lambda c, cwd, environ: serve_run_credentials(c, cwd, environ, start=start))
    monkeypatch.setattr(entry, 'import_jupyter', lambda: type('J', (), {'nbformat': None}))
    monkeypatch.setattr(entry, 'read_notebook', lambda *_args: {})
    monkeypatch.setattr(entry, 'resolve_kernel', lambda *_args: 'python3')
    monkeypatch.setattr(entry, 'Execution', Execution)
    # Act
    code = entry.main(['--input', str(tmp_path / 'in.ipynb'), '--output', str(tmp_path / 'out.ipynb'),
                       '--cwd', str(tmp_path)])
    # Assess
    capsys.readouterr()
    assert code == 0 and closed == [True]
    assert seen['fetch'] == ('http://127.0.0.1:1/api', 'run-1', 'run-token-secret', str(tmp_path))
    assert seen['kernel']['AWS_CONTAINER_AUTHORIZATION_TOKEN'] == 'k'
    assert 'ORRERY_RUN_TOKEN' not in seen['kernel'] and 'ORRERY_RUN_ROLE' not in seen['kernel']
    assert seen['kernel']['ORRERY_RUN_ID'] == 'run-1'
