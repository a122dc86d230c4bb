#!/usr/bin/env python3
"""Orrery's notebook runner: executes one notebook, cell by cell, in a Jupyter kernel.

The program is the `orrery_runner` package beside this file; this script is its stable path, which the
image's ENTRYPOINT and local mode run (`python3 -m orrery_runner` from this folder is the same).
README.md next to this file describes the command line, the exit codes, the metadata and the package.
"""

import os
import sys

# The package's folder, even under `python -I`, which leaves it off sys.path; no __pycache__ written
# beside it (local mode runs it from the checkout).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from orrery_runner.main import run  # noqa: E402

if __name__ == '__main__':
    run()
