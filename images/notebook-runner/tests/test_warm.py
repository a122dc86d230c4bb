"""Warm mode: its command line, the job it reads, and how an idle runner ends (with a stand-in kernel)."""

import json
import os
import signal
from types import SimpleNamespace

import pytest

from conftest import require
from orrery_runner import warm
from orrery_runner.outcome import BadInput


# warm_main() installs its own SIGTERM/SIGINT handlers; pytest's must come back after each test.
pytestmark = pytest.mark.usefixtures('keep_signal_handlers')


def job(args=(), **environment):
    return json.dumps({'args': list(args), 'environment': environment}).encode() + b'\n'


def test_a_job_takes_its_urls_from_its_environment_and_its_limits_from_its_arguments(tmp_path):
    # Prepare
    line = job(['--timeout', '30', '--max-output-bytes', '1000'],
               ORRERY_INPUT_URL='https://bucket/in?X-Amz-Signature=s', ORRERY_OUTPUT_URL='https://bucket/out')
    # Act
    options = warm.parse_job(line)
    # Assess
    assert (options.input, options.output) == ('https://bucket/in?X-Amz-Signature=s', 'https://bucket/out')
    assert (options.timeout, options.max_output_bytes, options.cwd) == (30.0, 1000, os.getcwd())


def test_a_job_with_a_roles_variables_is_refused_naming_them(tmp_path):
    # Prepare: a kernel started before the run cannot get the role's credentials variables.
    line = job(ORRERY_INPUT_URL='/in', ORRERY_OUTPUT_URL=str(tmp_path / 'out'), ORRERY_RUN_ROLE='analyst',
               ORRERY_RUN_TOKEN='secret')
    # Act
    with pytest.raises(BadInput) as raised:
        warm.parse_job(line)
    # Assess
    assert 'not ORRERY_RUN_ROLE, ORRERY_RUN_TOKEN' in str(raised.value)
    assert 'secret' not in str(raised.value)


@pytest.mark.parametrize('extra', [['--non-dumpable'], ['--cwd', '/']])
def test_a_job_cannot_change_what_the_runner_started_its_kernel_with(tmp_path, extra):
    # Prepare
    line = job(['--input', '/in', '--output', str(tmp_path / 'out'), *extra])
    # Act
    with pytest.raises(BadInput) as raised:
        warm.parse_job(line)
    # Assess
    assert "go on a warm runner's command line" in str(raised.value)


@pytest.mark.parametrize('line', [b'not json\n', b'[]\n', b'{"args": "--timeout 3"}\n', b'{"environment": {"A": 1}}\n'])
def test_a_job_that_is_not_an_object_of_arguments_and_variables_is_bad_input(tmp_path, line):
    # Act, Assess
    with pytest.raises(BadInput):
        warm.parse_job(line)


def test_warm_mode_needs_its_kernels_folder_to_exist(tmp_path):
    # Act
    with pytest.raises(BadInput) as raised:
        warm.parse_warm_args(['--warm', '--cwd', str(tmp_path / 'missing')])
    # Assess
    assert str(raised.value) == f'--cwd {tmp_path / "missing"} is not a directory'


class FakeKernel:
    """kernel.Kernel as warm mode drives it: start() answers at once, shutdown() is recorded."""

    shutdowns = []

    def __init__(self, client, name, spec_manager):
        self.client, self.name, self.idle = client, name, False

    async def start(self):
        self.idle = True
        return {'name': 'python'}

    async def shutdown(self, graceful):
        FakeKernel.shutdowns.append(graceful)


def fake_jupyter(alive):
    """Just enough of the Jupyter bundle for a runner that never executes a cell; `alive()` is the kernel's state."""

    async def is_alive():
        return alive()

    def client(nb, **_):
        return SimpleNamespace(nb=nb, km=SimpleNamespace(is_alive=is_alive))

    nbformat = SimpleNamespace(v4=SimpleNamespace(new_notebook=dict))
    return SimpleNamespace(nbformat=nbformat, NotebookClient=client, KernelSpecManager=object)


def serve(tmp_path, monkeypatch, stdin, alive=lambda: True):
    monkeypatch.setattr(warm, 'Kernel', FakeKernel)
    monkeypatch.setattr(warm, 'IDLE_CHECK_SECONDS', 0.01)
    monkeypatch.setattr(warm, 'import_jupyter', lambda: fake_jupyter(alive))
    monkeypatch.setattr(warm, 'installed_kernel', lambda name, jupyter: None)
    FakeKernel.shutdowns = []
    return warm.warm_main(['--warm', '--cwd', str(tmp_path)], stdin)


def serve_on_a_silent_pipe(tmp_path, monkeypatch, alive):
    """Serves with a stdin nobody writes to, as the platform's while no run comes; closed writer first, then reader
    (a reader closed while the runner's thread still reads it would wait for that read)."""
    read_end, write_end = os.pipe()
    stdin = os.fdopen(read_end, 'rb')
    try:
        return serve(tmp_path, monkeypatch, stdin, alive)
    finally:
        os.close(write_end)
        stdin.close()


def lines_of(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.strip().split('\n')]


def test_an_idle_runner_whose_pipe_closes_shuts_its_kernel_down_and_runs_nothing(tmp_path, monkeypatch, capsys):
    # Prepare
    with open(os.devnull, 'rb') as empty:
        # Act
        code = serve(tmp_path, monkeypatch, empty)
    # Assess
    ready, result = lines_of(capsys)
    assert code == warm.EXIT_NO_RUN
    assert ready == {'ready': True, 'kernel': 'python3'}
    assert (result['status'], result['reason']) == ('FAILED', 'the job pipe closed before a job came')
    assert FakeKernel.shutdowns == [True]


def test_an_idle_runner_whose_kernel_died_ends_so_that_another_replaces_it(tmp_path, monkeypatch, capsys):
    # Act
    code = serve_on_a_silent_pipe(tmp_path, monkeypatch, alive=lambda: False)
    # Assess
    _, result = lines_of(capsys)
    assert code == warm.EXIT_NO_RUN
    assert result['reason'] == 'the kernel died while the runner waited for a job'
    assert FakeKernel.shutdowns == [False]


def test_an_idle_runner_stopped_by_sigterm_ends_stopped_with_the_signals_exit_code(tmp_path, monkeypatch, capsys):
    # Prepare: the signal comes while the runner waits for its job.
    def alive():
        os.kill(os.getpid(), signal.SIGTERM)
        return True

    # Act
    code = serve_on_a_silent_pipe(tmp_path, monkeypatch, alive)
    # Assess
    _, result = lines_of(capsys)
    assert code == 143
    assert (result['status'], result['outputWritten']) == ('STOPPED', False)


def test_a_job_for_another_kernels_notebook_is_declined_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    # Prepare
    nbformat = require('nbformat', 'apt-get install python3-nbformat')
    notebook = tmp_path / 'in.ipynb'
    notebook.write_text(json.dumps({'nbformat': 4, 'nbformat_minor': 5, 'cells': [],
                                    'metadata': {'kernelspec': {'name': 'ir', 'display_name': 'R'}}}))
    stdin_file = tmp_path / 'job'
    stdin_file.write_bytes(job(['--input', str(notebook), '--output', str(tmp_path / 'out.ipynb')]))
    bundle = fake_jupyter(lambda: True)
    monkeypatch.setattr(warm, 'import_jupyter', lambda: SimpleNamespace(**{**vars(bundle), 'nbformat': nbformat}))
    monkeypatch.setattr(warm, 'Kernel', FakeKernel)
    monkeypatch.setattr(warm, 'installed_kernel', lambda name, jupyter: None)
    FakeKernel.shutdowns = []
    monkeypatch.chdir(tmp_path)
    # Act
    with open(stdin_file, 'rb') as stdin:
        code = warm.warm_main(['--warm', '--cwd', str(tmp_path)], stdin)
    # Assess
    ready, accepted, result = lines_of(capsys)
    assert code == warm.EXIT_NO_RUN
    assert accepted == {'accepted': True}
    assert result['reason'] == "the notebook's kernel is 'ir', this runner's 'python3'"
    assert not (tmp_path / 'out.ipynb').exists()
