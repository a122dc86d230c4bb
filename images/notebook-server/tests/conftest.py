"""Makes the orrery package beside this folder importable, and gives tests a fake Orrery API and a fake pyspark."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
FAKE_PYSPARK = os.path.join(HERE, 'fake_pyspark')


@pytest.fixture
def api():
    """A fake Orrery API (fake_api.FakeApi), closed after the test."""
    from fake_api import FakeApi

    fake = FakeApi()
    yield fake
    fake.close()


@pytest.fixture
def server_env(monkeypatch, tmp_path, api):
    """The environment of a kernel in the Orrery server `lab`, with the fake API and HOME in tmp_path."""
    monkeypatch.setenv('ORRERY_API_URL', api.url + '/api')
    monkeypatch.setenv('ORRERY_SERVER_NAME', 'lab')
    monkeypatch.setenv('JUPYTER_TOKEN', 'server-token')
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.delenv('PYSPARK_PYTHON', raising=False)
    return tmp_path


class Exits:
    """Stands in for the atexit module in orrery.spark: what is registered, without running it at pytest's exit."""

    def __init__(self):
        self.handlers = []

    def register(self, handler):
        self.handlers.append(handler)

    def unregister(self, handler):
        self.handlers = [h for h in self.handlers if h != handler]

    def run(self):
        for handler in list(reversed(self.handlers)):
            handler()


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    """The kernel's exit, to run when a test says; each test starts with no session of the helper's."""
    import orrery.spark

    recorder = Exits()
    monkeypatch.setattr(orrery.spark, 'atexit', recorder)
    orrery.spark._current.clear()
    yield recorder
    orrery.spark._current.clear()


@pytest.fixture
def pyspark(monkeypatch):
    """The fake pyspark on sys.path, fresh; returns its SparkSession class."""
    monkeypatch.syspath_prepend(FAKE_PYSPARK)
    for name in [m for m in sys.modules if m == 'pyspark' or m.startswith('pyspark.')]:
        monkeypatch.delitem(sys.modules, name)
    from pyspark.sql import SparkSession

    SparkSession.reset()
    yield SparkSession
    for name in [m for m in sys.modules if m == 'pyspark' or m.startswith('pyspark.')]:
        sys.modules.pop(name, None)


@pytest.fixture
def no_pyspark(monkeypatch):
    """pyspark cannot be imported, even where it is installed."""
    monkeypatch.setitem(sys.modules, 'pyspark', None)
    monkeypatch.setitem(sys.modules, 'pyspark.sql', None)
