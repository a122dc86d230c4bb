"""The runner's entry point: from the command line to the result line and the exit code (see ../README.md)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from typing import Any, Optional

from .cli import make_non_dumpable, parse_args
from .execution import Execution
from .jupyter import import_jupyter, resolve_kernel
from .log import log
from .notebook_io import public_location, read_notebook
from .outcome import (EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_ON_SIGNAL, BadInput, EnvironmentMissing, Outcome,
                      StopRequested, end_line, result_line, with_save_result)
from .run_credentials import serve_run_credentials, take_run_credentials


def raise_stop(signum: int, _frame: Any) -> None:
    """Turns SIGTERM/SIGINT before the run starts into StopRequested; the run installs its own handlers."""
    raise StopRequested(signum)


def report(outcome: Outcome, duration: float, output_written: bool, output_truncated: bool = False) -> int:
    """Prints the result as the last line on stdout; returns the exit code."""
    print(result_line(outcome, duration, output_written, output_truncated), flush=True)
    return outcome.exit_code


def main(argv: Optional[list] = None) -> int:
    """Runs the notebook the command line names; returns the exit code.

    A run with a role (run_credentials.py) gets the credentials server before its kernel starts, and loses it
    once the kernel is gone, however the run ended.
    """
    began = time.monotonic()
    for signum in EXIT_ON_SIGNAL:
        signal.signal(signum, raise_stop)
    credentials_server = None
    try:
        options = parse_args(argv, os.environ)
        credentials = take_run_credentials(os.environ)
        if options.non_dumpable:
            make_non_dumpable()
        jupyter = import_jupyter()
        nb = read_notebook(options.input, jupyter.nbformat)
        execution = Execution(nb, options, resolve_kernel(options.kernel, nb, jupyter), jupyter)
        credentials_server = serve_run_credentials(credentials, options.cwd, os.environ)
        outcome, duration, saved = asyncio.run(execution.run())
    except BadInput as exc:
        log(str(exc))
        return report(Outcome('FAILED', str(exc), None, EXIT_BAD_INPUT), time.monotonic() - began, False)
    except EnvironmentMissing as exc:
        log(str(exc))
        return report(Outcome('FAILED', str(exc), None, EXIT_ENVIRONMENT), time.monotonic() - began, False)
    except StopRequested as exc:
        log('STOPPED before the run started')
        outcome = Outcome('STOPPED', 'stopped', None, EXIT_ON_SIGNAL[exc.signum])
        return report(outcome, time.monotonic() - began, False)
    finally:
        if credentials_server is not None:
            credentials_server.close()
    outcome = with_save_result(outcome, saved, public_location(options.output))
    log(end_line(outcome, duration))
    truncated = execution.limiter.summary()
    if truncated:
        log(f"output truncated: {truncated['outputs']} output(s) cut, {truncated['omittedBytes']} bytes left out")
    return report(outcome, duration, saved, truncated is not None)


def run() -> None:
    """Runs main() and leaves without the interpreter's teardown.

    The output is written and the kernel is gone by then; the teardown (zmq contexts lingering, thousands of
    objects freed) would add a quarter of a second to every run.
    """
    exit_code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
