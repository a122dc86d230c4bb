#!/usr/bin/env python3
"""Orrery's notebook runner: executes one notebook, cell by cell, in a Jupyter kernel.

The same program runs in the cloud (in the notebook-runner image) and on a laptop (under
Debian's /usr/bin/python3, or the interpreter ORRERY_PYTHON names). It reads the notebook from
a path or a URL, executes it with nbclient, saves progress periodically so that a killed run
still leaves a partial output, and writes the output with papermill-compatible metadata.
README.md next to this file describes the command line, the exit codes and the metadata.

Only the standard library, nbformat, nbclient and jupyter_client are used (and output_limits.py, next to
this file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any, Optional

# The runner's own folder, even under `python -I`, which leaves it off sys.path; no __pycache__ written
# beside it (local mode runs it from the checkout).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from output_limits import OutputLimiter  # noqa: E402

VERSION = 'orrery-runner'
EXIT_COMPLETED, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3
EXIT_ON_SIGNAL = {signal.SIGTERM: 143, signal.SIGINT: 130}
# How long an interrupted cell may take to stop before its kernel is killed.
INTERRUPT_GRACE_SECONDS = 3.0
HTTP_TIMEOUT_SECONDS = 60.0
HTTP_ATTEMPTS = 4
HTTP_RETRYABLE = {408, 425, 429, 500, 502, 503, 504}
NOTEBOOK_MEDIA_TYPE = 'application/x-ipynb+json'
# Where a caller may pass the input and output locations instead of the command line, which anyone on the
# machine (and the notebook's kernel, from /proc/1/cmdline) can read. The runner removes them from its
# environment before the kernel starts, so the kernel never inherits them.
URL_VARIABLES = {'input': 'ORRERY_INPUT_URL', 'output': 'ORRERY_OUTPUT_URL'}
# Defaults of the output caps (README.md, "Output limits"): far above a notebook of plots and tables,
# far below what a loop that prints without end writes in a minute.
DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_NOTEBOOK_OUTPUT_BYTES = 50 * 1024 * 1024
PR_SET_DUMPABLE = 4
INSTALL_HINT = (
    'Install Jupyter for this interpreter: on Debian or Ubuntu '
    '`apt-get install python3-nbclient python3-nbformat python3-ipykernel python3-jupyter-client`, '
    'otherwise `pip install nbclient nbformat ipykernel jupyter_client`; '
    'or point ORRERY_PYTHON at an interpreter that has them.'
)

# nbformat, nbclient and jupyter_client, once import_jupyter() found them.
J = SimpleNamespace()


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


def log(message: str) -> None:
    """One line for whoever reads the runner's stderr (stdout is kept for the result)."""
    print(f'[orrery-runner] {message}', file=sys.stderr, flush=True)


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, which every JSON consumer parses."""
    return moment.isoformat().replace('+00:00', 'Z')


def seconds_text(seconds: float) -> str:
    """`5` rather than `5.0` in messages."""
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


# ---------------------------------------------------------------------------------------------
# Command line and environment
# ---------------------------------------------------------------------------------------------


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports usage errors as BadInput, so they end with the JSON result too."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInput(f'{message} (see --help)')


def positive_number(text: str) -> float:
    """A number of seconds greater than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a number: {text!r}') from None
    if not value > 0 or value == float('inf'):
        raise argparse.ArgumentTypeError(f'must be a positive number of seconds: {text!r}')
    return value


def positive_bytes(text: str) -> int:
    """A whole number of bytes greater than zero."""
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f'must be a whole number of bytes above 0: {text!r}')
    return int(text)


def parse_args(argv: Optional[list]) -> argparse.Namespace:
    """Reads the command line (see README.md); takes the locations from the environment when not given."""
    parser = ArgumentParser(prog='runner.py', description='Execute a notebook in a Jupyter kernel.')
    parser.add_argument('--input', help=f'notebook path, or http(s) URL to GET (default: ${URL_VARIABLES["input"]})')
    parser.add_argument('--output', help=f'output path, or http(s) presigned URL to PUT (default: ${URL_VARIABLES["output"]})')
    parser.add_argument('--kernel', default=None, help="kernel name (default: the notebook's, else python3)")
    parser.add_argument('--cell-timeout', type=positive_number, default=None, help='seconds per cell')
    parser.add_argument('--timeout', type=positive_number, default=None, help='seconds for the whole run')
    parser.add_argument('--progress-seconds', type=positive_number, default=5.0, help='seconds between saves')
    parser.add_argument('--cwd', default=None, help="the kernel's working directory (default: the runner's)")
    parser.add_argument('--max-output-bytes', type=positive_bytes, default=DEFAULT_MAX_OUTPUT_BYTES, help='cap of one output')
    parser.add_argument('--max-notebook-output-bytes', type=positive_bytes, default=DEFAULT_MAX_NOTEBOOK_OUTPUT_BYTES,
                        help='cap of all outputs together')
    parser.add_argument('--non-dumpable', action='store_true',
                        help='hide the runner from its kernel: no /proc/<runner>/environ or memory for the same uid')
    options = parser.parse_args(argv)
    for name, variable in URL_VARIABLES.items():
        # Popped even when the option was given: the kernel inherits this environment.
        from_environment = os.environ.pop(variable, None)
        if getattr(options, name) is None:
            setattr(options, name, from_environment)
        if not getattr(options, name):
            raise BadInput(f'--{name} is required (or set {variable}) (see --help)')
    options.cwd = os.path.abspath(options.cwd or os.getcwd())
    if not os.path.isdir(options.cwd):
        raise BadInput(f'--cwd {options.cwd} is not a directory')
    if not is_url(options.output) and not os.path.isdir(os.path.dirname(os.path.abspath(options.output))):
        raise BadInput(f'--output {options.output}: its directory does not exist')
    return options


def make_non_dumpable() -> None:
    """prctl(PR_SET_DUMPABLE, 0): /proc/<runner>/environ, mem and fd then need CAP_SYS_PTRACE, which a kernel
    running as the same uid without capabilities (the runner Job's pod) does not have. /proc/<runner>/cmdline
    stays world-readable, so secrets never go on the command line. The kernel is a new program: it starts
    dumpable again, and needs nothing of the runner's."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        raise BadInput('--non-dumpable needs Linux prctl, which this system does not have') from None
    if prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise BadInput(f'--non-dumpable: prctl(PR_SET_DUMPABLE) failed with errno {ctypes.get_errno()}')


def import_jupyter() -> None:
    """Imports nbformat, nbclient and jupyter_client into J, or says what to install."""
    try:
        import nbformat
        import nbformat.v4
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError as exc:
        raise EnvironmentMissing(f'{sys.executable} cannot import {exc.name or exc}. {INSTALL_HINT}') from None
    J.__dict__.update(
        nbformat=nbformat, NotebookClient=limited_client(NotebookClient), KernelSpecManager=installed_spec_manager(KernelSpecManager),
        NoSuchKernel=NoSuchKernel, CellExecutionError=CellExecutionError,
        CellTimeoutError=CellTimeoutError, DeadKernelError=DeadKernelError,
    )


def installed_spec_manager(base: type) -> type:
    """A KernelSpecManager that reads an installed kernel.json as it is.

    jupyter_client imports ipykernel into the runner to describe `python3`, in case that kernel is
    the runner's own interpreter; that costs 0.6 s on every run, and only matters when no
    kernel.json is installed, which the base class still handles.
    """

    class InstalledKernelSpecManager(base):
        def get_kernel_spec(self, kernel_name: str) -> Any:
            resource_dir = self.find_kernel_specs().get(kernel_name.lower())
            if resource_dir and os.path.isfile(os.path.join(resource_dir, 'kernel.json')):
                return self.kernel_spec_class.from_resource_dir(resource_dir)
            return super().get_kernel_spec(kernel_name)

    return InstalledKernelSpecManager


def limited_client(base: type) -> type:
    """A NotebookClient whose outputs pass through the run's OutputLimiter as they arrive.

    As they arrive, not at save time: a loop that prints without end then holds a fixed amount of memory.
    """

    class LimitedNotebookClient(base):
        def output(self, outs: list, msg: dict, display_id: str, cell_index: int) -> Any:
            out = super().output(outs, msg, display_id, cell_index)
            limiter = getattr(self, 'orrery_limiter', None)
            if out is None or limiter is None:
                return out

            def forget_display(index: int) -> None:
                # A dropped output must not be the target of a later update_display_data.
                indices = getattr(self, '_display_id_map', {}).get(display_id, {}).get(cell_index, [])
                if index in indices:
                    indices.remove(index)

            return limiter.admit(outs, out, cell_index, forget_display)

        def clear_output(self, outs: list, msg: dict, cell_index: int) -> None:
            super().clear_output(outs, msg, cell_index)
            limiter = getattr(self, 'orrery_limiter', None)
            if limiter is not None:
                limiter.reconcile(outs, appended=False)

    return LimitedNotebookClient


def resolve_kernel(requested: Optional[str], nb: Any) -> str:
    """The kernel to run: --kernel, else the notebook's kernelspec, else python3; it must be installed."""
    kernelspec = nb.metadata.get('kernelspec') or {}
    name = requested or kernelspec.get('name') or 'python3'
    manager = J.KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(name)
    except J.NoSuchKernel:
        installed = ', '.join(sorted(manager.find_kernel_specs())) or 'none'
        raise EnvironmentMissing(
            f"kernel '{name}' is not installed for {sys.executable} (installed: {installed}). "
            'Install it (for Python: `apt-get install python3-ipykernel` or `pip install ipykernel`) '
            'or choose another with --kernel.'
        ) from None
    if requested:
        nb.metadata['kernelspec'] = {'name': name, 'display_name': spec.display_name, 'language': spec.language}
    return name


# ---------------------------------------------------------------------------------------------
# Reading and writing notebooks: paths and http(s) URLs
# ---------------------------------------------------------------------------------------------


def is_url(location: str) -> bool:
    """Is this an http(s) URL rather than a path?"""
    return urllib.parse.urlsplit(location).scheme in ('http', 'https')


def public_location(location: str) -> str:
    """The location without its query string, so presigned signatures never land in the notebook."""
    if not is_url(location):
        return os.path.abspath(location)
    parts = urllib.parse.urlsplit(location)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, '', ''))


def http_error_detail(exc: urllib.error.HTTPError) -> str:
    """The start of an error response's body (S3 puts its error code there), on one line."""
    try:
        return ' '.join(exc.read(300).decode('utf-8', 'replace').split())
    except OSError:
        return ''


def http_request(method: str, url: str, body: Optional[bytes] = None) -> bytes:
    """GET or PUT with retries on failures worth retrying; other 4xx fail at once."""
    headers = {'Content-Type': NOTEBOOK_MEDIA_TYPE} if body is not None else {}
    for attempt in range(1, HTTP_ATTEMPTS + 1):
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = http_error_detail(exc)
            problem = f'{method} {public_location(url)} answered {exc.code} {exc.reason}: {detail}'
            if exc.code not in HTTP_RETRYABLE:
                raise OSError(problem) from None
        except (urllib.error.URLError, OSError) as exc:
            problem = f'{method} {public_location(url)} failed: {getattr(exc, "reason", exc)}'
        if attempt == HTTP_ATTEMPTS:
            raise OSError(f'{problem} (after {attempt} attempts)')
        time.sleep(0.5 * 2 ** (attempt - 1))
    raise AssertionError('unreachable')


def write_atomically(path: str, data: bytes) -> None:
    """Writes a file so that readers see the old or the new content, never half of it."""
    directory, name = os.path.split(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=f'.{name}.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.chmod(temp, 0o644)  # mkstemp makes 0600; the platform reads outputs as another step
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def read_file(path: str) -> bytes:
    """A file's bytes."""
    with open(path, 'rb') as handle:
        return handle.read()


def read_notebook(location: str) -> Any:
    """Loads and validates an nbformat 4 notebook (older ones are upgraded) or raises BadInput."""
    try:
        data = http_request('GET', location) if is_url(location) else read_file(location)
    except OSError as exc:
        raise BadInput(f'cannot read the notebook at {public_location(location)}: {exc}') from None
    try:
        nb = J.nbformat.reads(data.decode('utf-8'), as_version=4)
        J.nbformat.validate(nb)
    except J.nbformat.ValidationError as exc:
        raise BadInput(f'{public_location(location)} is not a valid nbformat 4 notebook: {exc.message}') from None
    except Exception as exc:  # nbformat raises several unrelated types for JSON that is not a notebook
        raise BadInput(f'{public_location(location)} is not a notebook: {type(exc).__name__}: {exc}') from None
    return nb


def write_notebook(location: str, data: bytes) -> None:
    """Writes the serialized output to a path (atomically) or PUTs it to a URL."""
    if is_url(location):
        http_request('PUT', location, data)
    else:
        write_atomically(location, data)


def serialize(nb: Any) -> bytes:
    """The notebook as nbformat writes it, without re-validating it on every save."""
    return J.nbformat.v4.writes(nb).encode('utf-8')


class OutputSaver:
    """Writes the output at most every `interval` seconds while the run goes on, and once at the end.

    Snapshots are taken on the event loop, between nbclient's updates, so no save ever sees a
    half-updated notebook; the writes themselves go to one worker thread, in order.
    """

    def __init__(self, nb: Any, location: str, interval: float, before_save: Any = None) -> None:
        self.nb, self.location, self.interval = nb, location, interval
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
        data = serialize(self.nb)
        if data != self.last_written:
            self.in_flight = asyncio.get_running_loop().run_in_executor(self.executor, self._write, data, 'progress')

    async def finish(self) -> bool:
        """Writes the final output after any save in flight; True when it was written."""
        if self.ticker is not None:
            self.ticker.cancel()
        self.before_save()
        data = serialize(self.nb)
        written = await asyncio.get_running_loop().run_in_executor(self.executor, self._write, data, 'output')
        self.executor.shutdown(wait=False)
        return written

    def _write(self, data: bytes, what: str) -> bool:
        try:
            write_notebook(self.location, data)
        except Exception as exc:
            log(f'could not save the {what} to {public_location(self.location)}: {exc}')
            return False
        self.last_written = data
        return True


# ---------------------------------------------------------------------------------------------
# Papermill-compatible metadata
# ---------------------------------------------------------------------------------------------


def pending_cell_metadata() -> dict:
    """A cell's papermill metadata before it runs."""
    return {'status': 'pending', 'start_time': None, 'end_time': None, 'duration': None, 'exception': None}


def mark_run_started(nb: Any, options: argparse.Namespace, started: datetime) -> None:
    """Resets every cell as papermill does and records where the run came from."""
    papermill = dict(nb.metadata.get('papermill') or {})
    papermill.update(
        start_time=iso(started), end_time=None, duration=None, exception=None,
        input_path=public_location(options.input), output_path=public_location(options.output),
        parameters=papermill.get('parameters') or {}, environment_variables={}, version=VERSION,
    )
    nb.metadata['papermill'] = papermill
    nb.metadata['orrery'] = {'status': 'IN_PROGRESS', 'reason': None, 'error': None, 'outputTruncated': None}
    for cell in nb.cells:
        cell.metadata['papermill'] = pending_cell_metadata()
        cell.metadata.pop('execution', None)
        if cell.cell_type == 'code':
            # Outputs of an earlier run would pass for this run's in cells it never reaches.
            cell.outputs = []
            cell.execution_count = None


def mark_run_ended(nb: Any, started: datetime, outcome: Outcome) -> float:
    """Records the end of the run; returns its duration in seconds."""
    ended = utc_now()
    duration = (ended - started).total_seconds()
    nb.metadata['papermill'].update(end_time=iso(ended), duration=duration, exception=outcome.status != 'COMPLETED')
    truncated = nb.metadata.get('orrery', {}).get('outputTruncated')
    nb.metadata['orrery'] = {'status': outcome.status, 'reason': outcome.reason, 'error': outcome.error, 'outputTruncated': truncated}
    return duration


def mark_cell_started(cell: Any) -> datetime:
    """Marks a cell running; returns when it started."""
    started = utc_now()
    cell.metadata['papermill'].update(status='running', start_time=iso(started))
    return started


def mark_cell_ended(cell: Any, started: datetime, failed: bool) -> None:
    """Marks a cell completed or failed, with its duration."""
    ended = utc_now()
    cell.metadata['papermill'].update(
        status='failed' if failed else 'completed', end_time=iso(ended),
        duration=(ended - started).total_seconds(), exception=failed,
    )


def cell_error(index: int, ename: str, evalue: str, traceback: Optional[list] = None) -> dict:
    """metadata.orrery.error for a failure in one cell."""
    return {'cellIndex': index, 'ename': ename, 'evalue': evalue, 'traceback': list(traceback or [])}


def raised_error(cell: Any, index: int, exc: Exception) -> dict:
    """The error a cell raised, from its error output (structured traceback) or else from nbclient."""
    for output in reversed(cell.get('outputs', [])):
        if output.get('output_type') == 'error':
            return cell_error(index, output.get('ename', ''), output.get('evalue', ''), output.get('traceback'))
    return cell_error(index, exc.ename, exc.evalue, str(exc).splitlines())


# ---------------------------------------------------------------------------------------------
# Executing
# ---------------------------------------------------------------------------------------------


def parent_death_signal() -> Any:
    """A Popen preexec_fn that has Linux SIGKILL the kernel when the runner dies, even by SIGKILL."""
    if not sys.platform.startswith('linux'):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the runner died before prctl took effect
            os._exit(1)

    return die_with_parent


class Runner:
    """Executes one loaded notebook in a kernel and says how the run ended."""

    def __init__(self, nb: Any, options: argparse.Namespace, kernel_name: str) -> None:
        self.nb, self.options, self.kernel_name = nb, options, kernel_name
        cell_timeout = options.cell_timeout
        # timeout_func rather than timeout: nbclient's `timeout` trait takes whole seconds only.
        self.client = J.NotebookClient(
            nb, kernel_name=kernel_name, resources={'metadata': {'path': options.cwd}},
            timeout_func=(lambda cell: cell_timeout) if cell_timeout else None, interrupt_on_timeout=False,
        )
        self.limiter = OutputLimiter(options.max_output_bytes, options.max_notebook_output_bytes,
                                     lambda text: J.nbformat.v4.new_output('stream', name='stderr', text=text))
        self.client.orrery_limiter = self.limiter
        self.saver = OutputSaver(nb, options.output, options.progress_seconds, self._before_save)
        self.abort_request: Optional[Outcome] = None
        self.running_cell: Optional[int] = None
        self.finished = threading.Event()
        self.kernel_pgid: Optional[int] = None
        # Whether the kernel finished its last request normally, so it can be shut down politely.
        self.kernel_idle = False
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.work: Optional[asyncio.Task] = None

    def _before_save(self) -> None:
        self.limiter.materialize()
        self.nb.metadata['orrery']['outputTruncated'] = self.limiter.summary()

    async def run(self) -> tuple:
        """Executes every cell, saves the output and shuts the kernel down; returns (outcome, duration, saved)."""
        self.loop = asyncio.get_running_loop()
        for signum, code in EXIT_ON_SIGNAL.items():
            self.loop.add_signal_handler(signum, self.abort, Outcome('STOPPED', 'stopped', None, code))
        started = utc_now()
        mark_run_started(self.nb, self.options, started)
        self.saver.start()
        self.work = self.loop.create_task(self._start_and_execute())
        start_watchdog(self, self.options.timeout)
        try:
            outcome = await self.work
        except asyncio.CancelledError:  # only abort() cancels the work
            outcome = self.abort_request
        except Exception as exc:  # a bug here must still end with the kernel gone and the output saved
            outcome = Outcome('FAILED', f'runner error: {exc!r}', None, EXIT_FAILED)
        self.finished.set()
        self._before_save()
        duration = mark_run_ended(self.nb, started, outcome)
        self._cancel_leftover_tasks()
        saved, _ = await asyncio.gather(self.saver.finish(), self._shutdown_kernel(graceful=self.kernel_idle))
        return outcome, duration, saved

    async def _start_and_execute(self) -> Outcome:
        try:
            await self._start_kernel()
        except Exception as exc:
            reason = f"kernel '{self.kernel_name}' failed to start: {exc}. {INSTALL_HINT}"
            return Outcome('FAILED', reason, None, EXIT_ENVIRONMENT)
        for index, cell in enumerate(self.nb.cells):
            if self.abort_request is not None:
                return self.abort_request
            failure = await self._execute_cell(index, cell)
            if failure is not None:
                return failure
        self.client.set_widgets_metadata()
        return Outcome('COMPLETED')

    async def _start_kernel(self) -> None:
        began = time.monotonic()
        client = self.client
        # Only silences debugpy's "frozen modules" warning, which every kernel start prints to stderr.
        os.environ.setdefault('PYDEVD_DISABLE_FILE_VALIDATION', '1')
        client.km = client.kernel_manager_class(
            kernel_name=self.kernel_name, config=client.config, kernel_spec_manager=J.KernelSpecManager())
        # The kernel's own stdout goes to stderr: the runner's stdout carries only the result.
        await client.async_start_new_kernel(stdout=sys.stderr.fileno(), preexec_fn=parent_death_signal())
        self.kernel_pgid = getattr(client.km.provisioner, 'pgid', None)
        await client.async_start_new_kernel_client()
        reply = await client.async_wait_for_reply(client.kc.kernel_info())
        if reply and 'language_info' in reply['content']:
            self.nb.metadata['language_info'] = reply['content']['language_info']
        self.kernel_idle = True
        log(f"kernel '{self.kernel_name}' ready in {time.monotonic() - began:.2f} s")

    async def _execute_cell(self, index: int, cell: Any) -> Optional[Outcome]:
        """Executes one cell (non-code cells pass through); returns the outcome when the run ends here."""
        started = mark_cell_started(cell)
        self.running_cell, self.kernel_idle = index, False
        try:
            await self.client.async_execute_cell(cell, index, execution_count=self.client.code_cells_executed + 1)
            failure, self.kernel_idle = None, True
        except J.CellExecutionError as exc:
            failure, self.kernel_idle = self.abort_request or self._raised(cell, index, exc), True
        except J.CellTimeoutError:
            reason = f'cell {index} timed out after {seconds_text(self.options.cell_timeout)} s (--cell-timeout)'
            failure = Outcome('FAILED', reason, cell_error(index, 'CellTimeoutError', reason), EXIT_FAILED)
        except J.DeadKernelError:
            evalue = f'the kernel died while cell {index} ran'
            failure = self.abort_request or Outcome('FAILED', 'kernel died', cell_error(index, 'DeadKernelError', evalue), EXIT_FAILED)
        except Exception as exc:  # zmq or protocol trouble: still a failure of this cell, not a crash
            reason = f'cell {index} could not be executed: {exc!r}'
            failure = self.abort_request or Outcome('FAILED', reason, cell_error(index, type(exc).__name__, str(exc)), EXIT_FAILED)
        finally:
            self.running_cell = None
        mark_cell_ended(cell, started, failed=failure is not None)
        return failure

    @staticmethod
    def _raised(cell: Any, index: int, exc: Exception) -> Outcome:
        error = raised_error(cell, index, exc)
        return Outcome('FAILED', f"cell {index} raised {error['ename']}: {error['evalue']}", error, EXIT_FAILED)

    def abort(self, outcome: Outcome) -> None:
        """Ends the run for a signal or the run timeout: interrupts the running cell, kills the kernel if it won't stop."""
        if self.abort_request is not None or self.finished.is_set():
            return
        log(f'ending the run: {outcome.reason}')
        if outcome.status == 'FAILED' and self.running_cell is not None:
            outcome.error = cell_error(self.running_cell, 'RunTimeoutError', outcome.reason)
        self.abort_request = outcome
        if self.running_cell is None:
            # Starting the kernel (or asking it for its info): nothing to keep, so stop waiting at once.
            if self.work is not None:
                self.work.cancel()
        else:
            # An interrupt keeps the cell's output and shows where it stopped; the kill is the backstop.
            self.loop.create_task(self._interrupt_then_kill())

    async def _interrupt_then_kill(self) -> None:
        try:
            await self.client.km.interrupt_kernel()
        except Exception as exc:
            log(f'could not interrupt the kernel: {exc}')
        await asyncio.sleep(INTERRUPT_GRACE_SECONDS)
        if not self.finished.is_set():
            log('the kernel did not stop when interrupted: killing it')
            self.kill_kernel_group()

    def kill_kernel_group(self) -> None:
        """SIGKILLs the kernel's process group (the kernel and what it started); safe from any thread."""
        pgid = self.kernel_pgid
        if pgid and pgid != os.getpgrp():
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _cancel_leftover_tasks(self) -> None:
        # nbclient leaves its output poller running after a cell timeout; it would fail noisily once
        # the channels close.
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    async def _shutdown_kernel(self, graceful: bool) -> None:
        """Shuts the kernel down, politely when it is healthy and idle, then kills what it left behind.

        A polite shutdown lets the notebook's atexit handlers run and its open files flush. It is
        done by hand because jupyter_client's own first sends SIGINT, which is pointless for an idle
        kernel. A polite shutdown takes 0.1-0.4 s; ipykernel 6.17 (Debian 12) deadlocks in a few
        percent of them, which waiting longer never cures, so SIGTERM comes after 1 s, not 2.5 s.
        """
        km, kc = self.client.km, self.client.kc
        try:
            if km is not None and km.has_kernel:
                if graceful:
                    await km.request_shutdown()
                    await km.finish_shutdown(waittime=2.0, pollinterval=0.02)
                    await km.cleanup_resources()
                else:
                    await km.shutdown_kernel(now=True)
            if kc is not None:
                kc.stop_channels()
        except Exception as exc:
            log(f'kernel shutdown: {exc!r}')
        finally:
            self.kill_kernel_group()


def start_watchdog(runner: Runner, seconds: Optional[float]) -> None:
    """Ends the run `seconds` after it started, from a thread so that the deadline holds on its own."""
    if not seconds:
        return
    reason = f'run timed out after {seconds_text(seconds)} s'

    def watch() -> None:
        if runner.finished.wait(seconds):
            return
        try:
            runner.loop.call_soon_threadsafe(runner.abort, Outcome('FAILED', reason, None, EXIT_FAILED))
        except RuntimeError:  # the loop closed as the deadline passed: the run is over anyway
            return
        # Backstop for a loop too busy to act on the interrupt: kill the kernel from here.
        if not runner.finished.wait(INTERRUPT_GRACE_SECONDS * 2):
            runner.kill_kernel_group()

    threading.Thread(target=watch, name='orrery-watchdog', daemon=True).start()


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def raise_stop(signum: int, _frame: Any) -> None:
    """Turns SIGTERM/SIGINT before the run starts into StopRequested; the run installs its own handlers."""
    raise StopRequested(signum)


def report(outcome: Outcome, duration: float, output_written: bool, output_truncated: bool = False) -> int:
    """Prints the result as the last line on stdout; returns the exit code."""
    result = {
        'status': outcome.status, 'reason': outcome.reason, 'error': outcome.error,
        'durationSeconds': round(duration, 6), 'outputWritten': output_written, 'outputTruncated': output_truncated,
    }
    print(json.dumps(result), flush=True)
    return outcome.exit_code


def main(argv: Optional[list] = None) -> int:
    """Runs the notebook the command line names; returns the exit code (see README.md)."""
    began = time.monotonic()
    for signum in EXIT_ON_SIGNAL:
        signal.signal(signum, raise_stop)
    try:
        options = parse_args(argv)
        if options.non_dumpable:
            make_non_dumpable()
        import_jupyter()
        nb = read_notebook(options.input)
        kernel_name = resolve_kernel(options.kernel, nb)
        runner = Runner(nb, options, kernel_name)
        outcome, duration, saved = asyncio.run(runner.run())
    except BadInput as exc:
        log(str(exc))
        return report(Outcome('FAILED', str(exc), None, EXIT_BAD_INPUT), time.monotonic() - began, False)
    except EnvironmentMissing as exc:
        log(str(exc))
        return report(Outcome('FAILED', str(exc), None, EXIT_ENVIRONMENT), time.monotonic() - began, False)
    except StopRequested as exc:
        log('STOPPED before the run started')
        return report(Outcome('STOPPED', 'stopped', None, EXIT_ON_SIGNAL[exc.signum]), time.monotonic() - began, False)
    if not saved and outcome.status == 'COMPLETED':
        outcome = Outcome('FAILED', f'the output could not be written to {public_location(options.output)}', None, EXIT_FAILED)
    # The last line on stderr says how the run ended, for callers that keep only stderr's tail.
    log(f'{outcome.status} after {duration:.2f} s' + (f': {outcome.reason}' if outcome.reason else ''))
    truncated = runner.limiter.summary()
    if truncated:
        log(f"output truncated: {truncated['outputs']} output(s) cut, {truncated['omittedBytes']} bytes left out")
    return report(outcome, duration, saved, truncated is not None)


if __name__ == '__main__':
    exit_code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The output is written and the kernel is gone; the interpreter's teardown (zmq contexts
    # lingering, thousands of objects freed) would add a quarter of a second to every run.
    os._exit(exit_code)
