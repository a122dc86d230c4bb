"""The entry point's early ends: bad input, a missing Jupyter and a stop before the run, each with its result line."""

import json
import os
import signal

import pytest

from orrery_runner import main as entry
from orrery_runner.outcome import EnvironmentMissing


# main() installs its own SIGTERM/SIGINT handlers; pytest's must come back after each test.
pytestmark = pytest.mark.usefixtures('keep_signal_handlers')


def result_of(capsys):
    out, err = capsys.readouterr()
    return json.loads(out.strip().split('\n')[-1]), err.strip().split('\n')


def test_bad_input_exits_2_with_a_failed_result_and_writes_nothing(tmp_path, capsys):
    # Act
    code = entry.main(['--input', str(tmp_path / 'in.ipynb'), '--output', str(tmp_path / 'no' / 'out.ipynb')])
    # Assess
    result, log = result_of(capsys)
    assert code == 2
    assert result['status'] == 'FAILED' and result['outputWritten'] is False
    assert result['reason'] == f'--output {tmp_path / "no" / "out.ipynb"}: its directory does not exist'
    assert log[-1] == f'[orrery-runner] {result["reason"]}'
    assert os.listdir(tmp_path) == []


def test_a_missing_jupyter_exits_3_and_the_last_log_line_says_what_to_install(tmp_path, capsys, monkeypatch):
    # Prepare
    def missing():
        raise EnvironmentMissing('python3 cannot import nbclient. Install Jupyter')

    monkeypatch.setattr(entry, 'import_jupyter', missing)
    # Act
    code = entry.main(['--input', str(tmp_path / 'in.ipynb'), '--output', str(tmp_path / 'out.ipynb')])
    # Assess
    result, log = result_of(capsys)
    assert code == 3
    assert result['reason'] == 'python3 cannot import nbclient. Install Jupyter'
    assert log[-1] == '[orrery-runner] python3 cannot import nbclient. Install Jupyter'


@pytest.mark.parametrize('signum, code', [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_before_the_run_starts_stops_it_with_the_signals_exit_code(
        tmp_path, capsys, monkeypatch, signum, code):
    # Prepare: the signal arrives while Jupyter is being imported; without main's own handler this one fails.
    def unhandled(_signum, _frame):
        raise AssertionError('main() left the signal to the handler it found')

    signal.signal(signum, unhandled)
    monkeypatch.setattr(entry, 'import_jupyter', lambda: os.kill(os.getpid(), signum))
    # Act
    exit_code = entry.main(['--input', str(tmp_path / 'in.ipynb'), '--output', str(tmp_path / 'out.ipynb')])
    # Assess
    result, log = result_of(capsys)
    assert exit_code == code
    assert (result['status'], result['reason'], result['outputWritten']) == ('STOPPED', 'stopped', False)
    assert log[-1] == '[orrery-runner] STOPPED before the run started'
