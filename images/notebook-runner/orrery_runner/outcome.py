"""How a run ends: its status, reason, error and exit code, and the one JSON line that reports it."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from typing import Optional

EXIT_COMPLETED, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3
EXIT_ON_SIGNAL = {signal.SIGTERM: 143, signal.SIGINT: 130}
INSTALL_HINT = (
    'Install Jupyter for this interpreter: on Debian or Ubuntu '
    '`apt-get install python3-nbclient python3-nbformat python3-ipykernel python3-jupyter-client`, '
    'otherwise `pip install nbclient nbformat ipykernel jupyter_client`; '
    'or point ORRERY_PYTHON at an interpreter that has them.'
)


class BadInput(Exception):
    """The command line, the notebook or a location cannot be used (exit 2)."""


class EnvironmentMissing(Exception):
    """Jupyter or the kernel is not installed for this interpreter (exit 3)."""


class StopRequested(BaseException):
    """SIGTERM or SIGINT arrived before the run started.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` on the way swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Outcome:
    """How a run ended: what metadata.orrery and the last stdout line say."""

    status: str
    reason: Optional[str] = None
    error: Optional[dict] = None
    exit_code: int = EXIT_COMPLETED


def seconds_text(seconds: float) -> str:
    """`5` rather than `5.0` in messages."""
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def with_save_result(outcome: Outcome, saved: bool, output: str) -> Outcome:
    """A completed run whose output could not be written has failed: its caller would find nothing."""
    if saved or outcome.status != 'COMPLETED':
        return outcome
    return Outcome('FAILED', f'the output could not be written to {output}', None, EXIT_FAILED)


def result_line(outcome: Outcome, duration: float, output_written: bool, output_truncated: bool = False) -> str:
    """The JSON object the runner prints as its last line on stdout."""
    return json.dumps({
        'status': outcome.status, 'reason': outcome.reason, 'error': outcome.error,
        'durationSeconds': round(duration, 6), 'outputWritten': output_written, 'outputTruncated': output_truncated,
    })


def end_line(outcome: Outcome, duration: float) -> str:
    """The last log line, which says how the run ended, for callers that keep only stderr's tail."""
    return f'{outcome.status} after {duration:.2f} s' + (f': {outcome.reason}' if outcome.reason else '')
