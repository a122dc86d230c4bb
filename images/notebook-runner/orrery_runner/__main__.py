"""`python3 -m orrery_runner`: the same program as runner.py beside this package."""

import sys

# Local mode runs the runner from the checkout: write no __pycache__ beside it.
sys.dont_write_bytecode = True

from .main import run  # noqa: E402

if __name__ == '__main__':
    run()
