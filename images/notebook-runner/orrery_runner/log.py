"""The runner's log: lines on stderr, since stdout carries only the result line."""

from __future__ import annotations

import sys


def log(message: str) -> None:
    """One line for whoever reads the runner's stderr."""
    print(f'[orrery-runner] {message}', file=sys.stderr, flush=True)
