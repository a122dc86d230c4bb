"""The papermill-compatible metadata of the notebook and its cells."""

from datetime import datetime, timedelta, timezone

from orrery_runner.metadata import (VERSION, cell_error, iso, mark_cell_ended, mark_cell_started, mark_run_ended,
                                    mark_run_started, raised_error)
from orrery_runner.outcome import EXIT_FAILED, Outcome

START = datetime(2026, 1, 1, 10, 0, 0, tzinfo=timezone.utc)


def notebook(papermill=None):
    """A notebook as nbformat reads it, after an earlier run: a markdown cell, a parameters cell, a code cell."""
    metadata = {'kernelspec': {'name': 'python3'}}
    if papermill is not None:
        metadata['papermill'] = papermill
    return {'metadata': metadata, 'cells': [
        {'cell_type': 'markdown', 'metadata': {}, 'source': '# Title'},
        {'cell_type': 'code', 'metadata': {'tags': ['parameters']}, 'source': 'n = 3', 'outputs': [],
         'execution_count': 4},
        {'cell_type': 'code', 'metadata': {'execution': {'iopub.status.busy': 'x'}}, 'source': 'print(n)',
         'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': '3\n'}], 'execution_count': 5},
    ]}


def test_iso_times_are_utc_with_a_z():
    # Act
    text = iso(START + timedelta(microseconds=5))
    # Assess
    assert text == '2026-01-01T10:00:00.000005Z'


def test_a_started_run_clears_earlier_results_and_marks_every_cell_pending():
    # Prepare
    nb = notebook()
    # Act
    mark_run_started(nb, '/runs/r1/in.ipynb', '/runs/r1/out.ipynb', START)
    # Assess
    pending = {'status': 'pending', 'start_time': None, 'end_time': None, 'duration': None, 'exception': None}
    assert [cell['metadata']['papermill'] for cell in nb['cells']] == [pending, pending, pending]
    assert [(cell['outputs'], cell['execution_count']) for cell in nb['cells'][1:]] == [([], None), ([], None)]
    assert 'execution' not in nb['cells'][2]['metadata']
    assert nb['cells'][0]['source'] == '# Title'


def test_the_parameters_cell_keeps_its_tag_and_source():
    # Prepare
    nb = notebook()
    # Act
    mark_run_started(nb, 'in.ipynb', 'out.ipynb', START)
    # Assess
    assert nb['cells'][1]['metadata']['tags'] == ['parameters']
    assert nb['cells'][1]['source'] == 'n = 3'


def test_a_started_run_records_where_it_came_from_without_signatures():
    # Prepare
    nb = notebook()
    # Act
    mark_run_started(nb, 'https://bucket.s3/r1/in.ipynb?X-Amz-Signature=secret', '/runs/r1/out.ipynb', START)
    # Assess
    assert nb['metadata']['papermill'] == {
        'start_time': '2026-01-01T10:00:00Z', 'end_time': None, 'duration': None, 'exception': None,
        'input_path': 'https://bucket.s3/r1/in.ipynb', 'output_path': '/runs/r1/out.ipynb',
        'parameters': {}, 'environment_variables': {}, 'version': VERSION,
    }
    assert nb['metadata']['orrery'] == {'status': 'IN_PROGRESS', 'reason': None, 'error': None, 'outputTruncated': None}


def test_a_started_run_keeps_the_parameters_and_other_papermill_keys_already_there():
    # Prepare
    nb = notebook({'parameters': {'n': 5, 'name': 'x'}, 'default_parameters': {'n': 3}, 'duration': 9.0})
    # Act
    mark_run_started(nb, 'in.ipynb', 'out.ipynb', START)
    # Assess
    papermill = nb['metadata']['papermill']
    assert papermill['parameters'] == {'n': 5, 'name': 'x'}
    assert papermill['default_parameters'] == {'n': 3}
    assert papermill['duration'] is None


def test_an_ended_run_records_its_outcome_and_duration_and_keeps_the_truncation_summary():
    # Prepare
    nb = notebook()
    mark_run_started(nb, 'in.ipynb', 'out.ipynb', START)
    nb['metadata']['orrery']['outputTruncated'] = {'outputs': 1, 'omittedBytes': 10}
    error = cell_error(2, 'ValueError', 'boom', ['tb'])
    # Act
    duration = mark_run_ended(nb, START, START + timedelta(seconds=1.5), Outcome('FAILED', 'boom', error, EXIT_FAILED))
    # Assess
    assert duration == 1.5
    papermill = nb['metadata']['papermill']
    assert papermill['end_time'] == '2026-01-01T10:00:01.500000Z'
    assert (papermill['duration'], papermill['exception']) == (1.5, True)
    assert nb['metadata']['orrery'] == {'status': 'FAILED', 'reason': 'boom', 'error': error,
                                        'outputTruncated': {'outputs': 1, 'omittedBytes': 10}}


def test_only_a_completed_run_ends_without_an_exception():
    # Prepare
    ended = {}
    for status in ('COMPLETED', 'FAILED', 'STOPPED'):
        nb = notebook()
        mark_run_started(nb, 'in.ipynb', 'out.ipynb', START)
        # Act
        mark_run_ended(nb, START, START, Outcome(status))
        ended[status] = nb['metadata']['papermill']['exception']
    # Assess
    assert ended == {'COMPLETED': False, 'FAILED': True, 'STOPPED': True}


def test_a_cell_is_marked_running_then_completed_or_failed_with_its_duration():
    # Prepare
    nb = notebook()
    mark_run_started(nb, 'in.ipynb', 'out.ipynb', START)
    first, second = nb['cells'][1], nb['cells'][2]
    # Act
    mark_cell_started(first, START)
    running = dict(first['metadata']['papermill'])
    mark_cell_ended(first, START, START + timedelta(seconds=2), failed=False)
    mark_cell_started(second, START)
    mark_cell_ended(second, START, START + timedelta(milliseconds=250), failed=True)
    # Assess
    assert running == {'status': 'running', 'start_time': '2026-01-01T10:00:00Z', 'end_time': None,
                       'duration': None, 'exception': None}
    assert first['metadata']['papermill'] == {'status': 'completed', 'start_time': '2026-01-01T10:00:00Z',
                                              'end_time': '2026-01-01T10:00:02Z', 'duration': 2.0, 'exception': False}
    assert (second['metadata']['papermill']['status'], second['metadata']['papermill']['duration'],
            second['metadata']['papermill']['exception']) == ('failed', 0.25, True)


class CellExecutionError(Exception):
    """Stands in for nbclient's: a message and the error's name and value."""

    def __init__(self, message, ename, evalue):
        super().__init__(message)
        self.ename, self.evalue = ename, evalue


def test_a_raised_error_comes_from_the_cells_last_error_output():
    # Prepare
    cell = {'outputs': [
        {'output_type': 'error', 'ename': 'KeyError', 'evalue': 'old', 'traceback': ['old']},
        {'output_type': 'stream', 'name': 'stdout', 'text': 'x'},
        {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'boom', 'traceback': ['\x1b[31mline 1', 'line 2']},
    ]}
    # Act
    error = raised_error(cell, 3, CellExecutionError('ignored', 'Other', 'other'))
    # Assess
    assert error == {'cellIndex': 3, 'ename': 'ValueError', 'evalue': 'boom', 'traceback': ['\x1b[31mline 1', 'line 2']}


def test_a_raised_error_without_an_error_output_comes_from_nbclients_exception():
    # Prepare
    exc = CellExecutionError('first\nsecond', 'NameError', "name 'x' is not defined")
    # Act
    error = raised_error({'outputs': []}, 1, exc)
    # Assess
    assert error == {'cellIndex': 1, 'ename': 'NameError', 'evalue': "name 'x' is not defined",
                     'traceback': ['first', 'second']}
