"""Warm mode: a runner started before its run, with Jupyter imported and its kernel up, that runs one job and exits.

`runner.py --warm --kernel NAME --cwd DIR` prints `{"ready": true, "kernel": NAME}` once its kernel answered a
client, reads one job line on stdin (the command line and the URL variables the cold runner would get), prints
`{"accepted": true}`, runs it as the cold runner does and ends with the same result line (../README.md, "Warm mode").
The job never passes through the environment, so the kernel, started before it, cannot inherit it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from typing import Any, BinaryIO, Callable, Optional

from .cli import URL_VARIABLES, ArgumentParser, make_non_dumpable, parse_args
from .execution import Execution, StartedKernel, new_client
from .jupyter import Jupyter, import_jupyter, installed_kernel, kernel_name_for, resolve_kernel
from .kernel import Kernel
from .log import log
from .main import ended_early, finish, raise_stop, report
from .notebook_io import read_notebook
from .outcome import (EXIT_ON_SIGNAL, INSTALL_HINT, BadInput, EnvironmentMissing, Outcome, StopRequested)

WARM_FLAG = '--warm'
# Ended without running a job: its pipe closed, its kernel died while it waited, or the job was another kernel's.
# The caller runs the job cold (or starts another warm runner); nothing was written.
EXIT_NO_RUN = 4
JOB_MAX_BYTES = 1 << 20
# How often an idle runner checks that its kernel is still alive: a dead one must be replaced, not handed a run.
IDLE_CHECK_SECONDS = 1.0
# All a job may set besides the command line: a kernel started before the run cannot get a role's credentials
# variables, so a run with a role runs cold (run_credentials.py).
JOB_VARIABLES = frozenset(URL_VARIABLES.values())


class NoRun(Exception):
    """The warm runner ends without running a job (exit 4)."""


def parse_warm_args(argv: list) -> argparse.Namespace:
    """Warm mode's own command line: what must be known before the run (the kernel, where it runs)."""
    parser = ArgumentParser(prog='runner.py --warm', description='Start a kernel, then run one job read from stdin.')
    parser.add_argument(WARM_FLAG, action='store_true', required=True)
    parser.add_argument('--kernel', default='python3', help='the kernel to start (default python3)')
    parser.add_argument('--cwd', default=None, help="the kernel's working directory (default: the runner's)")
    parser.add_argument('--non-dumpable', action='store_true', help='as the cold runner\'s --non-dumpable')
    options = parser.parse_args(argv)
    options.cwd = os.path.abspath(options.cwd or os.getcwd())
    if not os.path.isdir(options.cwd):
        raise BadInput(f'--cwd {options.cwd} is not a directory')
    return options


def parse_job(line: bytes) -> argparse.Namespace:
    """The run's options from a job line, `{"args": [str], "environment": {str: str}}`, checked as the cold runner's.

    The environment may hold only the URL variables; the kernel and its directory are the warm runner's already: its
    own working directory, not --cwd's path, which the platform may have renamed for the run.
    """
    try:
        job = json.loads(line)
    except ValueError:
        raise BadInput('the job is not JSON') from None
    args = job.get('args', []) if isinstance(job, dict) else None
    environment = job.get('environment', {}) if isinstance(job, dict) else None
    if not (isinstance(args, list) and all(isinstance(a, str) for a in args) and isinstance(environment, dict)
            and all(isinstance(v, str) for v in environment.values())):
        raise BadInput('a job is {"args": [str], "environment": {str: str}}')
    refused = sorted(set(environment) - JOB_VARIABLES)
    if refused:
        raise BadInput(f'a warm runner takes only {", ".join(sorted(JOB_VARIABLES))} from a job, not '
                       f'{", ".join(refused)}: its kernel started before the run (a run with a role runs cold)')
    options = parse_args(args, dict(environment))
    if options.non_dumpable or os.path.realpath(options.cwd) != os.path.realpath(os.getcwd()):
        raise BadInput('--cwd and --non-dumpable go on a warm runner\'s command line, not in its job')
    return options


def emit(message: dict) -> None:
    """One JSON line on stdout for the caller: ready, accepted (the result line comes last, as ever)."""
    print(json.dumps(message), flush=True)


def in_thread(work: Callable[..., Any], *args: Any) -> asyncio.Future:
    """`work(*args)` on a daemon thread: a read that blocks must not keep the process from exiting."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(outcome: Callable[[Any], None], value: Any) -> None:
        if not future.done():
            outcome(value)

    def run() -> None:
        try:
            settled = (future.set_result, work(*args))
        except BaseException as exc:  # handed to the waiting coroutine, which decides
            settled = (future.set_exception, exc)
        try:
            loop.call_soon_threadsafe(settle, *settled)
        except RuntimeError:  # the loop is gone: nobody waits any more
            pass

    threading.Thread(target=run, name='orrery-warm', daemon=True).start()
    return future


class WarmRunner:
    """One warm runner's life: start the kernel, wait for its one job, run it, end."""

    def __init__(self, options: argparse.Namespace, jupyter: Jupyter, stdin: BinaryIO) -> None:
        self.options, self.jupyter, self.stdin = options, jupyter, stdin
        placeholder = jupyter.nbformat.v4.new_notebook()
        self.client = new_client(placeholder, options.kernel, options.cwd, None, jupyter)
        self.kernel = Kernel(self.client, options.kernel, jupyter.KernelSpecManager)
        self.stopped: Optional[asyncio.Future] = None

    async def serve(self) -> int:
        """Runs the runner's life; returns the exit code. Every end but a run's shuts the kernel down."""
        began = time.monotonic()
        self._listen()
        try:
            started = await self._start_kernel()
            emit({'ready': True, 'kernel': self.options.kernel})
            options = parse_job(await self._next_job())
            emit({'accepted': True})
            nb = await self._unless_stopped(in_thread(read_notebook, options.input, self.jupyter.nbformat))
            wanted = kernel_name_for(options.kernel, nb.metadata)
            if wanted.lower() != self.options.kernel.lower():
                raise NoRun(f"the notebook's kernel is '{wanted}', this runner's '{self.options.kernel}'")
            kernel_name = resolve_kernel(options.kernel, nb, self.jupyter)
        except (BadInput, EnvironmentMissing, StopRequested, NoRun) as exc:
            await self.kernel.shutdown(graceful=self.kernel.idle)
            if isinstance(exc, NoRun):
                log(str(exc))
                return report(Outcome('FAILED', str(exc), None, EXIT_NO_RUN), time.monotonic() - began, False)
            return ended_early(exc, began)
        execution = Execution(nb, options, kernel_name, self.jupyter, started)
        exit_code = []

        def report_now(outcome: Outcome, duration: float, saved: bool) -> None:
            # The caller may go on with the saved output while the kernel shuts down; it still waits for the exit.
            exit_code.append(finish(execution, options.output, outcome, duration, saved))

        await execution.run(report_now)
        return exit_code[0]

    def _listen(self) -> None:
        # Until the run installs its own (stopping.RunStop), a signal ends the runner before anything runs.
        loop = asyncio.get_running_loop()
        self.stopped = loop.create_future()
        for signum in EXIT_ON_SIGNAL:
            loop.add_signal_handler(signum, self._stop, signum)

    def _stop(self, signum: int) -> None:
        if not self.stopped.done():
            self.stopped.set_result(signum)

    async def _unless_stopped(self, awaitable: Any) -> Any:
        """Awaits `awaitable`, unless a signal comes first: then StopRequested, and the work is cancelled."""
        task = asyncio.ensure_future(awaitable)
        await asyncio.wait({task, self.stopped}, return_when=asyncio.FIRST_COMPLETED)
        if self.stopped.done():
            task.cancel()
            raise StopRequested(self.stopped.result())
        return task.result()

    async def _start_kernel(self) -> StartedKernel:
        try:
            language_info = await self._unless_stopped(self.kernel.start())
        except StopRequested:
            raise
        except Exception as exc:
            raise EnvironmentMissing(f"kernel '{self.kernel.name}' failed to start: {exc}. {INSTALL_HINT}") from None
        return StartedKernel(self.client, self.kernel, language_info)

    async def _next_job(self) -> bytes:
        """The job line; checks the kernel while it waits, since a dead kernel cannot take a run."""
        reading = in_thread(self.stdin.readline, JOB_MAX_BYTES)
        while True:
            await asyncio.wait({reading, self.stopped}, timeout=IDLE_CHECK_SECONDS,
                               return_when=asyncio.FIRST_COMPLETED)
            if self.stopped.done():
                raise StopRequested(self.stopped.result())
            if reading.done():
                line = reading.result()
                if not line.strip():
                    raise NoRun('the job pipe closed before a job came')
                if len(line) >= JOB_MAX_BYTES and not line.endswith(b'\n'):
                    raise BadInput(f'the job is longer than {JOB_MAX_BYTES} bytes')
                return line
            if not await self.client.km.is_alive():
                self.kernel.idle = False  # no polite shutdown for a dead kernel
                raise NoRun('the kernel died while the runner waited for a job')


def warm_main(argv: list, stdin: Optional[BinaryIO] = None) -> int:
    """Warm mode from its command line to the result line; returns the exit code."""
    began = time.monotonic()
    for signum in EXIT_ON_SIGNAL:
        signal.signal(signum, raise_stop)
    try:
        options = parse_warm_args(argv)
        if options.non_dumpable:
            make_non_dumpable()
        jupyter = import_jupyter()
        installed_kernel(options.kernel, jupyter)
        runner = WarmRunner(options, jupyter, stdin or sys.stdin.buffer)
    except (BadInput, EnvironmentMissing, StopRequested) as exc:
        return ended_early(exc, began)
    try:
        return asyncio.run(runner.serve())
    except StopRequested as exc:  # a signal in the instant before serve() listens for it
        return ended_early(exc, began)
