"""Makes the orrery_runner package beside this folder importable, whichever directory pytest runs from."""

import importlib
import os
import sys

import signal

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def require(module, why):
    """Imports `module`, or skips the test; with CI=true a missing system package fails it instead."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get('CI') == 'true':
            pytest.fail(f'{module} is missing and CI=true: {why}')
        pytest.skip(f'{module} is not installed: {why}')


def missing(what, why):
    """Skips the test for a missing tool; with CI=true it fails instead."""
    if os.environ.get('CI') == 'true':
        pytest.fail(f'{what} is missing and CI=true: {why}')
    pytest.skip(f'{what} is missing: {why}')


@pytest.fixture
def api():
    """Starts fake Orrery APIs (fake_api.FakeApi) for a test, closed after it."""
    from fake_api import FakeApi

    made = []

    def make(*answers):
        made.append(FakeApi(*answers))
        return made[-1]

    yield make
    for fake in made:
        fake.close()


@pytest.fixture
def keep_signal_handlers():
    """Puts pytest's SIGTERM/SIGINT handlers back after a test whose code installs its own (main(), warm_main())."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)
