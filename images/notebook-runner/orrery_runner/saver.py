"""The output's saves while a run goes on: periodic progress, then the final output."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

from .log import log
from .notebook_io import public_location, write_location


class OutputSaver:
    """Writes the output at most every `interval` seconds while the run goes on, and once at the end.

    Snapshots are taken on the event loop, between nbclient's updates, so no save ever sees a
    half-updated notebook; the writes themselves go to one worker thread, in order. `serialize` turns the
    notebook into bytes; `before_save` brings it up to date first (the output limiter's kept text).
    """

    def __init__(self, nb: Any, location: str, interval: float, serialize: Callable[[Any], bytes],
                 before_save: Optional[Callable[[], None]] = None) -> None:
        self.nb, self.location, self.interval, self.serialize = nb, location, interval, serialize
        self.before_save = before_save or (lambda: None)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix='orrery-save')
        self.in_flight: Optional[asyncio.Future] = None
        self.last_written: Optional[bytes] = None
        self.ticker: Optional[asyncio.Task] = None

    def start(self) -> None:
        """Saves the not-yet-run notebook now (which also proves the output is writable), then periodically."""
        self.save_soon()
        self.ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.save_soon()

    def save_soon(self) -> None:
        """Queues a progress save unless one is still being written or nothing changed."""
        if self.in_flight is not None and not self.in_flight.done():
            return
        self.before_save()
        data = self.serialize(self.nb)
        if data != self.last_written:
            self.in_flight = asyncio.get_running_loop().run_in_executor(self.executor, self._write, data, 'progress')

    async def finish(self) -> bool:
        """Writes the final output after any save in flight; True when it was written."""
        if self.ticker is not None:
            self.ticker.cancel()
        self.before_save()
        data = self.serialize(self.nb)
        written = await asyncio.get_running_loop().run_in_executor(self.executor, self._write, data, 'output')
        self.executor.shutdown(wait=False)
        return written

    def _write(self, data: bytes, what: str) -> bool:
        try:
            write_location(self.location, data)
        except Exception as exc:
            log(f'could not save the {what} to {public_location(self.location)}: {exc}')
            return False
        self.last_written = data
        return True
