"""Executing a loaded notebook's cells in a kernel, first failure stops the run (papermill's semantics)."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .jupyter import Jupyter
from .kernel import Kernel
from .metadata import (cell_error, mark_cell_ended, mark_cell_started, mark_run_ended, mark_run_started,
                       raised_error, utc_now)
from .outcome import EXIT_ENVIRONMENT, EXIT_FAILED, INSTALL_HINT, Outcome, seconds_text
from .output_limits import OutputLimiter
from .saver import OutputSaver
from .stopping import RunStop, start_watchdog


def cell_failure(exc: Exception, cell: Any, index: int, jupyter: Any, cell_timeout: Optional[float],
                 stopping: Optional[Outcome]) -> Outcome:
    """How the run ends when executing cell `index` raised `exc`.

    `stopping` is the early end already asked for (a signal, the run timeout): the interrupt or kill it sent is
    what made the cell fail, so it wins, except over the cell's own timeout. `jupyter` names nbclient's errors.
    """
    if isinstance(exc, jupyter.CellExecutionError):
        if stopping is not None:
            return stopping
        error = raised_error(cell, index, exc)
        return Outcome('FAILED', f"cell {index} raised {error['ename']}: {error['evalue']}", error, EXIT_FAILED)
    if isinstance(exc, jupyter.CellTimeoutError):
        reason = f'cell {index} timed out after {seconds_text(cell_timeout)} s (--cell-timeout)'
        return Outcome('FAILED', reason, cell_error(index, 'CellTimeoutError', reason), EXIT_FAILED)
    if stopping is not None:
        return stopping
    if isinstance(exc, jupyter.DeadKernelError):
        evalue = f'the kernel died while cell {index} ran'
        return Outcome('FAILED', 'kernel died', cell_error(index, 'DeadKernelError', evalue), EXIT_FAILED)
    # zmq or protocol trouble: still a failure of this cell, not a crash.
    reason = f'cell {index} could not be executed: {exc!r}'
    return Outcome('FAILED', reason, cell_error(index, type(exc).__name__, str(exc)), EXIT_FAILED)


def cancel_other_tasks() -> None:
    """Cancels every task but the current one: nbclient leaves its output poller running after a cell timeout,
    which would fail noisily once the channels close."""
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.cancel()


def cell_timeout_func(cell_timeout: Optional[float]) -> Any:
    """nbclient's timeout_func for --cell-timeout: its `timeout` trait takes whole seconds only."""
    return (lambda cell: cell_timeout) if cell_timeout else None


def new_client(nb: Any, kernel_name: str, cwd: str, cell_timeout: Optional[float], jupyter: Jupyter) -> Any:
    """The NotebookClient of a run: its kernel starts in `cwd`; no interrupt on a cell timeout (the run ends)."""
    return jupyter.NotebookClient(
        nb, kernel_name=kernel_name, resources={'metadata': {'path': cwd}},
        timeout_func=cell_timeout_func(cell_timeout), interrupt_on_timeout=False,
    )


@dataclass(frozen=True)
class StartedKernel:
    """A kernel started before its run was known (warm mode): its client, its Kernel and the language_info it gave."""

    client: Any
    kernel: Kernel
    language_info: Optional[dict]


class Execution:
    """Executes one loaded notebook in a kernel, saving as it goes, and says how the run ended.

    The kernel is started by the run, or, with `started`, was started ahead of it (warm mode) and takes this notebook.
    """

    def __init__(self, nb: Any, options: argparse.Namespace, kernel_name: str, jupyter: Jupyter,
                 started: Optional[StartedKernel] = None) -> None:
        self.nb, self.options, self.jupyter, self.started = nb, options, jupyter, started
        if started is None:
            self.client = new_client(nb, kernel_name, options.cwd, options.cell_timeout, jupyter)
            self.kernel = Kernel(self.client, kernel_name, jupyter.KernelSpecManager)
        else:
            self.client, self.kernel = started.client, started.kernel
            self.client.nb = nb
            self.client.timeout_func = cell_timeout_func(options.cell_timeout)
            self.client.reset_execution_trackers()
        self.limiter = OutputLimiter(options.max_output_bytes, options.max_notebook_output_bytes,
                                     jupyter.stderr_output)
        self.client.orrery_limiter = self.limiter
        self.stop = RunStop(self.kernel)
        self.saver = OutputSaver(nb, options.output, options.progress_seconds, jupyter.serialize, self._before_save)

    def _before_save(self) -> None:
        self.limiter.materialize()
        self.nb.metadata['orrery']['outputTruncated'] = self.limiter.summary()

    async def run(self, on_saved: Optional[Callable[[Outcome, float, bool], None]] = None) -> tuple:
        """Executes every cell, saves the output and shuts the kernel down; returns (outcome, duration, saved).

        `on_saved(outcome, duration, saved)` is called once the output is saved, while the kernel may still be
        shutting down (a polite shutdown takes 0.1-0.4 s): warm mode reports its result then.
        """
        loop = asyncio.get_running_loop()
        self.stop.listen(loop)
        started = utc_now()
        mark_run_started(self.nb, self.options.input, self.options.output, started)
        self.saver.start()
        self.stop.work = loop.create_task(self._start_and_execute())
        start_watchdog(self.stop, self.options.timeout)
        try:
            outcome = await self.stop.work
        except asyncio.CancelledError:  # only RunStop.abort() cancels the work
            outcome = self.stop.request
        except Exception as exc:  # a bug here must still end with the kernel gone and the output saved
            outcome = Outcome('FAILED', f'runner error: {exc!r}', None, EXIT_FAILED)
        self.stop.finished.set()
        self._before_save()
        duration = mark_run_ended(self.nb, started, utc_now(), outcome)
        cancel_other_tasks()
        shutdown = loop.create_task(self.kernel.shutdown(graceful=self.kernel.idle))
        saved = await self.saver.finish()
        if on_saved is not None:
            on_saved(outcome, duration, saved)
        await shutdown
        return outcome, duration, saved

    async def _start_and_execute(self) -> Outcome:
        if self.started is not None:
            language_info = self.started.language_info
        else:
            try:
                language_info = await self.kernel.start()
            except Exception as exc:
                reason = f"kernel '{self.kernel.name}' failed to start: {exc}. {INSTALL_HINT}"
                return Outcome('FAILED', reason, None, EXIT_ENVIRONMENT)
        if language_info is not None:
            self.nb.metadata['language_info'] = language_info
        for index, cell in enumerate(self.nb.cells):
            if self.stop.request is not None:
                return self.stop.request
            failure = await self._execute_cell(index, cell)
            if failure is not None:
                return failure
        self.client.set_widgets_metadata()
        return Outcome('COMPLETED')

    async def _execute_cell(self, index: int, cell: Any) -> Optional[Outcome]:
        """Executes one cell (non-code cells pass through); returns the outcome when the run ends here."""
        started = utc_now()
        mark_cell_started(cell, started)
        self.stop.running_cell, self.kernel.idle = index, False
        try:
            await self.client.async_execute_cell(cell, index, execution_count=self.client.code_cells_executed + 1)
        except Exception as exc:
            failure = cell_failure(exc, cell, index, self.jupyter, self.options.cell_timeout, self.stop.request)
            # A cell that raised leaves its kernel idle and healthy; a timeout or a dead kernel does not.
            self.kernel.idle = isinstance(exc, self.jupyter.CellExecutionError)
        else:
            failure, self.kernel.idle = None, True
        finally:
            self.stop.running_cell = None
        mark_cell_ended(cell, started, utc_now(), failed=failure is not None)
        return failure
