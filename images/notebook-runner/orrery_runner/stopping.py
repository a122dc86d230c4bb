"""Ending a run early, for SIGTERM/SIGINT (cancel, pod deletion) or the run timeout (the watchdog)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Optional

from .log import log
from .metadata import cell_error
from .outcome import EXIT_FAILED, EXIT_ON_SIGNAL, Outcome, seconds_text

# How long an interrupted cell may take to stop before its kernel is killed.
INTERRUPT_GRACE_SECONDS = 3.0


class RunStop:
    """Ends the run it watches: interrupts the running cell, and kills the kernel's group if the cell won't stop.

    The execution says which cell is running (`running_cell`), hands over its work task (`work`) and sets
    `finished` when the run is over; `request` is the outcome an early end asked for, the first one only.
    `kernel` needs `interrupt()` (a coroutine) and `kill_group()`.
    """

    def __init__(self, kernel: Any, grace_seconds: float = INTERRUPT_GRACE_SECONDS) -> None:
        self.kernel, self.grace_seconds = kernel, grace_seconds
        self.request: Optional[Outcome] = None
        self.running_cell: Optional[int] = None
        self.finished = threading.Event()
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.work: Optional[asyncio.Task] = None

    def listen(self, loop: asyncio.AbstractEventLoop) -> None:
        """From now on SIGTERM and SIGINT end the run as STOPPED (exit 143 and 130)."""
        self.loop = loop
        for signum, code in EXIT_ON_SIGNAL.items():
            loop.add_signal_handler(signum, self.abort, Outcome('STOPPED', 'stopped', None, code))

    def abort(self, outcome: Outcome) -> None:
        """Ends the run with `outcome`, unless it is already ending or over; runs on the event loop."""
        if self.request is not None or self.finished.is_set():
            return
        log(f'ending the run: {outcome.reason}')
        if outcome.status == 'FAILED' and self.running_cell is not None:
            outcome.error = cell_error(self.running_cell, 'RunTimeoutError', outcome.reason)
        self.request = outcome
        if self.running_cell is None:
            # Starting the kernel (or asking it for its info): nothing to keep, so stop waiting at once.
            if self.work is not None:
                self.work.cancel()
        else:
            # An interrupt keeps the cell's output and shows where it stopped; the kill is the backstop.
            self.loop.create_task(self._interrupt_then_kill())

    async def _interrupt_then_kill(self) -> None:
        try:
            await self.kernel.interrupt()
        except Exception as exc:
            log(f'could not interrupt the kernel: {exc}')
        await asyncio.sleep(self.grace_seconds)
        if not self.finished.is_set():
            log('the kernel did not stop when interrupted: killing it')
            self.kernel.kill_group()


def timeout_outcome(seconds: float) -> Outcome:
    """How a run past its --timeout ends (RunStop.abort adds the cell it stopped)."""
    return Outcome('FAILED', f'run timed out after {seconds_text(seconds)} s', None, EXIT_FAILED)


def start_watchdog(stop: RunStop, seconds: Optional[float]) -> Optional[threading.Thread]:
    """Ends the run `seconds` after now, from a thread so that the deadline holds on its own."""
    if not seconds:
        return None

    def watch() -> None:
        if stop.finished.wait(seconds):
            return
        try:
            stop.loop.call_soon_threadsafe(stop.abort, timeout_outcome(seconds))
        except RuntimeError:  # the loop closed as the deadline passed: the run is over anyway
            return
        # Backstop for a loop too busy to act on the interrupt: kill the kernel from here.
        if not stop.finished.wait(stop.grace_seconds * 2):
            stop.kernel.kill_group()

    thread = threading.Thread(target=watch, name='orrery-watchdog', daemon=True)
    thread.start()
    return thread
