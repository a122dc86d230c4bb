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


def ended_early(exc: BaseException, began: float) -> int:
    """Reports a run that ended before its cells ran (BadInput, EnvironmentMissing, StopRequested); no output."""
    if isinstance(exc, StopRequested):
        log('STOPPED before the run started')
        outcome = Outcome('STOPPED', 'stopped', None, EXIT_ON_SIGNAL[exc.signum])
    else:
        log(str(exc))
        code = EXIT_BAD_INPUT if isinstance(exc, BadInput) else EXIT_ENVIRONMENT
        outcome = Outcome('FAILED', str(exc), None, code)
    return report(outcome, time.monotonic() - began, False)


def finish(execution: Execution, output: str, outcome: Outcome, duration: float, saved: bool) -> int:
    """Reports a run whose execution ended (its output at `output`): logs how, and what the output limits left out."""
    outcome = with_save_result(outcome, saved, public_location(output))
    log(end_line(outcome, duration))
    truncated = execution.limiter.summary()
    if truncated:
        log(f"output truncated: {truncated['outputs']} output(s) cut, {truncated['omittedBytes']} bytes left out")
    return report(outcome, duration, saved, truncated is not None)


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
    except (BadInput, EnvironmentMissing, StopRequested) as exc:
        return ended_early(exc, began)
    finally:
        if credentials_server is not None:
            credentials_server.close()
    return finish(execution, options.output, outcome, duration, saved)


def run() -> None:
    """Runs main() (warm_main() with --warm) and leaves without the interpreter's teardown.

    The output is written and the kernel is gone by then; the teardown (zmq contexts lingering, thousands of
    objects freed) would add a quarter of a second to every run.
    """
    # Imported here: warm mode reports its run with this module's endings.
    from .warm import WARM_FLAG, warm_main

    exit_code = warm_main(sys.argv[1:]) if WARM_FLAG in sys.argv[1:] else main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
