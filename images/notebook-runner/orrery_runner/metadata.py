"""The papermill-compatible metadata a run writes (see ../README.md, "Metadata written").

Notebooks and cells are read as mappings (nbformat's NotebookNode is a dict), and every time is passed in,
so these functions do the same on any day and can be tested with plain dicts.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from .notebook_io import public_location
from .outcome import Outcome

VERSION = 'orrery-runner'


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, which every JSON consumer parses."""
    return moment.isoformat().replace('+00:00', 'Z')


def pending_cell_metadata() -> dict:
    """A cell's papermill metadata before it runs."""
    return {'status': 'pending', 'start_time': None, 'end_time': None, 'duration': None, 'exception': None}


def mark_run_started(nb: Any, input_location: str, output_location: str, started: datetime) -> None:
    """Resets every cell as papermill does and records where the run came from (never a URL's query string)."""
    papermill = dict(nb['metadata'].get('papermill') or {})
    papermill.update(
        start_time=iso(started), end_time=None, duration=None, exception=None,
        input_path=public_location(input_location), output_path=public_location(output_location),
        parameters=papermill.get('parameters') or {}, environment_variables={}, version=VERSION,
    )
    nb['metadata']['papermill'] = papermill
    nb['metadata']['orrery'] = {'status': 'IN_PROGRESS', 'reason': None, 'error': None, 'outputTruncated': None}
    for cell in nb['cells']:
        cell['metadata']['papermill'] = pending_cell_metadata()
        cell['metadata'].pop('execution', None)
        if cell['cell_type'] == 'code':
            # Outputs of an earlier run would pass for this run's in cells it never reaches.
            cell['outputs'] = []
            cell['execution_count'] = None


def mark_run_ended(nb: Any, started: datetime, ended: datetime, outcome: Outcome) -> float:
    """Records the end of the run; returns its duration in seconds."""
    duration = (ended - started).total_seconds()
    nb['metadata']['papermill'].update(end_time=iso(ended), duration=duration, exception=outcome.status != 'COMPLETED')
    truncated = nb['metadata'].get('orrery', {}).get('outputTruncated')
    nb['metadata']['orrery'] = {
        'status': outcome.status, 'reason': outcome.reason, 'error': outcome.error, 'outputTruncated': truncated,
    }
    return duration


def mark_cell_started(cell: Any, started: datetime) -> None:
    """Marks a cell running."""
    cell['metadata']['papermill'].update(status='running', start_time=iso(started))


def mark_cell_ended(cell: Any, started: datetime, ended: datetime, failed: bool) -> None:
    """Marks a cell completed or failed, with its duration."""
    cell['metadata']['papermill'].update(
        status='failed' if failed else 'completed', end_time=iso(ended),
        duration=(ended - started).total_seconds(), exception=failed,
    )


def cell_error(index: int, ename: str, evalue: str, traceback: Optional[list] = None) -> dict:
    """metadata.orrery.error for a failure in one cell."""
    return {'cellIndex': index, 'ename': ename, 'evalue': evalue, 'traceback': list(traceback or [])}


def raised_error(cell: Any, index: int, exc: Exception) -> dict:
    """The error a cell raised, from its error output (structured traceback) or else from nbclient's exception."""
    for output in reversed(cell.get('outputs', [])):
        if output.get('output_type') == 'error':
            return cell_error(index, output.get('ename', ''), output.get('evalue', ''), output.get('traceback'))
    return cell_error(index, exc.ename, exc.evalue, str(exc).splitlines())
