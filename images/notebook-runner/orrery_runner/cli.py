"""The command line (see ../README.md, "Command line") and the environment variables that stand in for it."""

from __future__ import annotations

import argparse
import os
from typing import MutableMapping, Optional

from .notebook_io import is_url
from .outcome import BadInput

# Where a caller may pass the input and output locations instead of the command line, which anyone on the
# machine (and the notebook's kernel, from /proc/1/cmdline) can read. They are removed from the runner's
# environment before the kernel starts, so the kernel never inherits them.
URL_VARIABLES = {'input': 'ORRERY_INPUT_URL', 'output': 'ORRERY_OUTPUT_URL'}
# Defaults of the output caps (README.md, "Output limits"): far above a notebook of plots and tables,
# far below what a loop that prints without end writes in a minute.
DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_NOTEBOOK_OUTPUT_BYTES = 50 * 1024 * 1024
DEFAULT_PROGRESS_SECONDS = 5.0
PR_SET_DUMPABLE = 4


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


def build_parser() -> ArgumentParser:
    """The runner's options, as README.md lists them."""
    parser = ArgumentParser(prog='runner.py', description='Execute a notebook in a Jupyter kernel.')
    add = parser.add_argument
    add('--input', help=f'notebook path, or http(s) URL to GET (default: ${URL_VARIABLES["input"]})')
    add('--output', help=f'output path, or http(s) presigned URL to PUT (default: ${URL_VARIABLES["output"]})')
    add('--kernel', default=None, help="kernel name (default: the notebook's, else python3)")
    add('--cell-timeout', type=positive_number, default=None, help='seconds per cell')
    add('--timeout', type=positive_number, default=None, help='seconds for the whole run')
    add('--progress-seconds', type=positive_number, default=DEFAULT_PROGRESS_SECONDS, help='seconds between saves')
    add('--cwd', default=None, help="the kernel's working directory (default: the runner's)")
    add('--max-output-bytes', type=positive_bytes, default=DEFAULT_MAX_OUTPUT_BYTES, help='cap of one output')
    add('--max-notebook-output-bytes', type=positive_bytes, default=DEFAULT_MAX_NOTEBOOK_OUTPUT_BYTES,
        help='cap of all outputs together')
    add('--non-dumpable', action='store_true',
        help='hide the runner from its kernel: no /proc/<runner>/environ or memory for the same uid')
    return parser


def parse_args(argv: Optional[list], environ: MutableMapping[str, str]) -> argparse.Namespace:
    """Reads the command line; takes the locations from `environ` when not given, and removes them from it."""
    options = build_parser().parse_args(argv)
    for name, variable in URL_VARIABLES.items():
        # Popped even when the option was given: the kernel inherits this environment.
        from_environment = environ.pop(variable, None)
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
    """prctl(PR_SET_DUMPABLE, 0): /proc/<runner>/environ, mem and fd then need CAP_SYS_PTRACE.

    A kernel running as the same uid without capabilities (the runner Job's pod) does not have it.
    /proc/<runner>/cmdline stays world-readable, so secrets never go on the command line. The kernel is a
    new program: it starts dumpable again, and needs nothing of the runner's.
    """
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        raise BadInput('--non-dumpable needs Linux prctl, which this system does not have') from None
    if prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise BadInput(f'--non-dumpable: prctl(PR_SET_DUMPABLE) failed with errno {ctypes.get_errno()}')
