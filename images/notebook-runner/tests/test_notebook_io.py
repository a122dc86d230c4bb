"""Reading and writing notebooks: locations, atomic writes, and HTTP with retries."""

import io
import os
import stat
import urllib.error
from types import SimpleNamespace

import pytest

from orrery_runner import notebook_io
from orrery_runner.notebook_io import (HTTP_ATTEMPTS, is_url, public_location, read_notebook, write_atomically,
                                       write_location)
from orrery_runner.outcome import BadInput


@pytest.mark.parametrize('location, url', [
    ('https://bucket.s3.amazonaws.com/in.ipynb', True), ('http://127.0.0.1:9000/x', True),
    ('/runs/r1/in.ipynb', False), ('in.ipynb', False), ('file:///tmp/in.ipynb', False), ('s3://bucket/in', False),
])
def test_only_http_and_https_locations_are_urls(location, url):
    # Act
    answer = is_url(location)
    # Assess
    assert answer is url


def test_a_public_location_has_no_query_string_or_fragment():
    # Act
    public = public_location('https://bucket.s3.amazonaws.com/r1/in.ipynb?X-Amz-Signature=secret&X-Amz-Expires=60#top')
    # Assess
    assert public == 'https://bucket.s3.amazonaws.com/r1/in.ipynb'


def test_a_public_location_of_a_path_is_absolute(tmp_path, monkeypatch):
    # Prepare
    monkeypatch.chdir(tmp_path)
    # Act
    public = public_location('out.ipynb')
    # Assess
    assert public == os.path.join(os.path.abspath(str(tmp_path)), 'out.ipynb')


def test_an_atomic_write_replaces_the_file_readable_by_others_and_leaves_no_temp_file(tmp_path):
    # Prepare
    path = tmp_path / 'out.ipynb'
    path.write_bytes(b'old')
    # Act
    write_atomically(str(path), b'new')
    # Assess
    assert path.read_bytes() == b'new'
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ['out.ipynb']


def test_a_failed_atomic_write_keeps_the_old_file_and_removes_its_temp_file(tmp_path, monkeypatch):
    # Prepare
    path = tmp_path / 'out.ipynb'
    path.write_bytes(b'old')

    def fail(_src, _dst):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', fail)
    # Act
    with pytest.raises(OSError):
        write_atomically(str(path), b'new')
    # Assess
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['out.ipynb']


class FakeServer:
    """Stands in for urllib.request.urlopen: answers each request with the next of `answers`."""

    def __init__(self, *answers):
        self.answers, self.requests, self.sleeps = list(answers), [], []

    def urlopen(self, request, timeout):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer)


def http_error(code, body=b'<Error><Code>SlowDown</Code></Error>'):
    return urllib.error.HTTPError('https://bucket/x', code, 'Reason', {}, io.BytesIO(body))


@pytest.fixture
def server(monkeypatch):
    def install(*answers):
        fake = FakeServer(*answers)
        monkeypatch.setattr(notebook_io.urllib.request, 'urlopen', fake.urlopen)
        monkeypatch.setattr(notebook_io.time, 'sleep', fake.sleeps.append)
        return fake
    return install


def test_a_get_is_retried_after_a_throttle_and_a_server_error(server):
    # Prepare
    fake = server(http_error(503), http_error(429), b'{"cells": []}')
    # Act
    body = notebook_io.read_location('https://bucket/in.ipynb?sig=1')
    # Assess
    assert body == b'{"cells": []}'
    assert [r.get_method() for r in fake.requests] == ['GET', 'GET', 'GET']
    assert fake.sleeps == [0.5, 1.0]


def test_a_client_error_fails_at_once_without_the_query_string(server):
    # Prepare
    fake = server(http_error(403, b'<Error>\n  <Code>AccessDenied</Code>\n</Error>'))
    # Act
    with pytest.raises(OSError) as raised:
        notebook_io.http_request('GET', 'https://bucket/in.ipynb?X-Amz-Signature=secret')
    # Assess
    assert len(fake.requests) == 1
    assert str(raised.value) == ('GET https://bucket/in.ipynb answered 403 Reason: '
                                 '<Error> <Code>AccessDenied</Code> </Error>')


def test_connection_errors_give_up_after_the_last_attempt(server):
    # Prepare
    fake = server(*[urllib.error.URLError('connection refused')] * HTTP_ATTEMPTS)
    # Act
    with pytest.raises(OSError) as raised:
        notebook_io.http_request('GET', 'https://bucket/in.ipynb?sig=secret')
    # Assess
    assert len(fake.requests) == HTTP_ATTEMPTS
    assert str(raised.value) == (f'GET https://bucket/in.ipynb failed: connection refused '
                                 f'(after {HTTP_ATTEMPTS} attempts)')
    assert 'secret' not in str(raised.value)


def test_an_output_url_gets_a_put_of_a_notebook(server):
    # Prepare
    fake = server(b'')
    # Act
    write_location('https://bucket/out.ipynb?sig=1', b'{}')
    # Assess
    request = fake.requests[0]
    assert (request.get_method(), request.data, request.get_header('Content-type')) == (
        'PUT', b'{}', 'application/x-ipynb+json')


def fake_nbformat(reads):
    error = type('ValidationError', (Exception,), {'message': ''})
    return SimpleNamespace(reads=reads, validate=lambda nb: None, ValidationError=error)


def test_a_notebook_that_cannot_be_read_is_bad_input(tmp_path):
    # Act
    with pytest.raises(BadInput) as raised:
        read_notebook(str(tmp_path / 'missing.ipynb'), fake_nbformat(lambda text, as_version: {}))
    # Assess
    assert str(raised.value).startswith(f'cannot read the notebook at {tmp_path / "missing.ipynb"}: ')


def test_text_that_is_not_a_notebook_is_bad_input_naming_the_file(tmp_path):
    # Prepare
    (tmp_path / 'bad.ipynb').write_bytes(b'not a notebook {')

    def reads(_text, as_version):
        raise ValueError('Expecting value')

    # Act
    with pytest.raises(BadInput) as raised:
        read_notebook(str(tmp_path / 'bad.ipynb'), fake_nbformat(reads))
    # Assess
    assert str(raised.value) == f'{tmp_path / "bad.ipynb"} is not a notebook: ValueError: Expecting value'


def test_a_notebook_is_read_as_nbformat_4(tmp_path):
    # Prepare
    (tmp_path / 'in.ipynb').write_bytes('{"é": 1}'.encode('utf-8'))
    calls = []
    nbformat = fake_nbformat(lambda text, as_version: calls.append(as_version) or text)
    # Act
    nb = read_notebook(str(tmp_path / 'in.ipynb'), nbformat)
    # Assess
    assert (nb, calls) == ('{"é": 1}', [4])
