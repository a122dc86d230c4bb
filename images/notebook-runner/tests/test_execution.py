"""How a cell's failure ends the run: the outcome for each error nbclient raises, and an early end's precedence."""

from types import SimpleNamespace

import pytest

from orrery_runner.execution import cell_failure
from orrery_runner.outcome import EXIT_FAILED, Outcome


class CellExecutionError(Exception):
    def __init__(self, ename='ValueError', evalue='boom'):
        super().__init__(f'{ename}: {evalue}')
        self.ename, self.evalue = ename, evalue


class CellTimeoutError(TimeoutError):
    pass


class DeadKernelError(RuntimeError):
    pass


# Stand-ins for nbclient's errors, as the Jupyter bundle names them.
ERRORS = SimpleNamespace(CellExecutionError=CellExecutionError, CellTimeoutError=CellTimeoutError,
                         DeadKernelError=DeadKernelError)
STOPPED = Outcome('STOPPED', 'stopped', None, 143)
ERROR_OUTPUT = {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'boom', 'traceback': ['tb']}


def test_a_cell_that_raised_fails_the_run_with_its_error():
    # Act
    outcome = cell_failure(CellExecutionError(), {'outputs': [ERROR_OUTPUT]}, 2, ERRORS, None, None)
    # Assess
    error = {'cellIndex': 2, 'ename': 'ValueError', 'evalue': 'boom', 'traceback': ['tb']}
    assert outcome == Outcome('FAILED', 'cell 2 raised ValueError: boom', error, EXIT_FAILED)


def test_a_cell_that_timed_out_names_the_cell_and_the_limit():
    # Act
    outcome = cell_failure(CellTimeoutError(), {'outputs': []}, 1, ERRORS, 2.5, None)
    # Assess
    reason = 'cell 1 timed out after 2.5 s (--cell-timeout)'
    assert outcome == Outcome('FAILED', reason, {'cellIndex': 1, 'ename': 'CellTimeoutError', 'evalue': reason,
                                                 'traceback': []}, EXIT_FAILED)


def test_a_dead_kernel_fails_the_run_naming_the_cell():
    # Act
    outcome = cell_failure(DeadKernelError('gone'), {'outputs': []}, 4, ERRORS, None, None)
    # Assess
    assert outcome == Outcome('FAILED', 'kernel died', {'cellIndex': 4, 'ename': 'DeadKernelError',
                                                        'evalue': 'the kernel died while cell 4 ran', 'traceback': []},
                              EXIT_FAILED)


def test_any_other_error_is_a_failure_of_the_cell_not_a_crash():
    # Act
    outcome = cell_failure(ConnectionResetError('zmq'), {'outputs': []}, 0, ERRORS, None, None)
    # Assess
    assert outcome.reason == "cell 0 could not be executed: ConnectionResetError('zmq')"
    assert outcome.error == {'cellIndex': 0, 'ename': 'ConnectionResetError', 'evalue': 'zmq', 'traceback': []}


@pytest.mark.parametrize('exc', [CellExecutionError('KeyboardInterrupt', ''), DeadKernelError('killed'), OSError('x')])
def test_an_early_end_already_asked_for_is_how_the_run_ends_when_its_interrupt_or_kill_failed_the_cell(exc):
    # Act
    outcome = cell_failure(exc, {'outputs': [ERROR_OUTPUT]}, 3, ERRORS, None, STOPPED)
    # Assess
    assert outcome is STOPPED


def test_a_cells_own_timeout_wins_over_an_early_end():
    # Act
    outcome = cell_failure(CellTimeoutError(), {'outputs': []}, 3, ERRORS, 1.0, STOPPED)
    # Assess
    assert outcome.reason == 'cell 3 timed out after 1 s (--cell-timeout)'
