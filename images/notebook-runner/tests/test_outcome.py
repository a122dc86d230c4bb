"""How a run ends: the result line, the last log line, and a completed run whose output was not written."""

import json

import pytest

from orrery_runner.outcome import (EXIT_COMPLETED, EXIT_FAILED, Outcome, end_line, result_line, seconds_text,
                                   with_save_result)


def test_the_result_line_is_one_json_object_with_the_documented_fields():
    # Prepare
    error = {'cellIndex': 2, 'ename': 'ValueError', 'evalue': 'boom', 'traceback': ['t']}
    outcome = Outcome('FAILED', 'cell 2 raised ValueError: boom', error, EXIT_FAILED)
    # Act
    line = result_line(outcome, 1.0712345678, True, True)
    # Assess
    assert '\n' not in line
    assert json.loads(line) == {
        'status': 'FAILED', 'reason': 'cell 2 raised ValueError: boom', 'error': error,
        'durationSeconds': 1.071235, 'outputWritten': True, 'outputTruncated': True,
    }


def test_a_completed_run_whose_output_was_not_written_has_failed():
    # Act
    outcome = with_save_result(Outcome('COMPLETED'), False, 'https://bucket/out.ipynb')
    # Assess
    reason = 'the output could not be written to https://bucket/out.ipynb'
    assert outcome == Outcome('FAILED', reason, None, EXIT_FAILED)


@pytest.mark.parametrize('outcome, saved', [
    (Outcome('COMPLETED'), True),
    (Outcome('FAILED', 'kernel died', None, EXIT_FAILED), False),
    (Outcome('STOPPED', 'stopped', None, 143), False),
])
def test_other_runs_keep_their_outcome_whether_or_not_the_output_was_written(outcome, saved):
    # Act
    kept = with_save_result(outcome, saved, '/out.ipynb')
    # Assess
    assert kept is outcome


def test_a_completed_outcome_exits_zero_with_no_reason():
    # Act
    outcome = Outcome('COMPLETED')
    # Assess
    assert (outcome.exit_code, outcome.reason, outcome.error) == (EXIT_COMPLETED, None, None)


def test_the_last_log_line_says_how_the_run_ended():
    # Act
    lines = [end_line(Outcome('COMPLETED'), 1.234), end_line(Outcome('STOPPED', 'stopped', None, 143), 0.5)]
    # Assess
    assert lines == ['COMPLETED after 1.23 s', 'STOPPED after 0.50 s: stopped']


@pytest.mark.parametrize('seconds, text', [(5.0, '5'), (5, '5'), (0.5, '0.5'), (2.25, '2.25')])
def test_whole_seconds_are_written_without_a_fraction(seconds, text):
    # Act
    written = seconds_text(seconds)
    # Assess
    assert written == text
