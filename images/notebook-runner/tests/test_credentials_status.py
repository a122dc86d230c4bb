"""The container-credentials server's status (no keys) and forced refresh, for the Jupyter server's Orrery extension."""

import http.client
import json
import threading
import time

import pytest
from fake_api import issued

from orrery_runner import credential_cache
from orrery_runner.container_credentials import ContainerCredentialsServer
from orrery_runner.credential_cache import FetchFailed, TokenDead

NOW = 1_900_000_000.0


class Fetch:
    """A fetch() that returns (or raises) the next of `results` (the last repeats), counting its calls."""

    def __init__(self, *results):
        self.results, self.calls = list(results), 0
        self.release = None

    def __call__(self):
        self.calls += 1
        if self.release is not None:
            self.release.wait(10)
        result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        if isinstance(result, BaseException):
            raise result
        return result


@pytest.fixture
def serve(tmp_path):
    """Starts servers for the test and closes them after it."""
    servers = []

    def start(fetch, clock=time.time):
        server = ContainerCredentialsServer(fetch, str(tmp_path / f'token-{len(servers)}'), clock=clock,
                                            log=lambda _message: None)
        server.poll_seconds = 0.02
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.close()


def call(server, method, path, authorization=None, body=None):
    """One request on a fresh connection; returns (status, headers, JSON body)."""
    if authorization is None:
        with open(server.token_file) as handle:
            authorization = handle.read()
    connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={'Authorization': authorization})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b'null')
    finally:
        connection.close()


def test_status_says_role_account_and_expiry_and_never_the_keys(serve):
    # Prepare
    server = serve(Fetch(issued('ONE', NOW + 3600)), clock=lambda: NOW + 600)
    # Act
    status, headers, body = call(server, 'GET', '/credentials/status')
    # Assess
    assert status == 200
    assert body == {'role': 'analyst', 'account': 'data-dev', 'expiration': '2030-03-17T18:46:40Z',
                    'secondsLeft': 3000}
    assert 'ONE' not in json.dumps(body)
    assert headers['Cache-Control'] == 'no-store'


def test_status_uses_the_cached_keys_and_refresh_fetches_new_ones_at_once(serve):
    # Prepare
    fetch = Fetch(issued('ONE', NOW + 3600), {**issued('TWO', NOW + 7200), 'role': 'engineer'})
    server = serve(fetch, clock=lambda: NOW)
    call(server, 'GET', '/credentials')
    # Act
    before = call(server, 'GET', '/credentials/status')
    refreshed = call(server, 'POST', '/credentials/refresh', body=b'{}')
    keys = call(server, 'GET', '/credentials')
    # Assess
    assert before[2]['role'] == 'analyst'
    assert refreshed[0] == 200
    assert (refreshed[2]['role'], refreshed[2]['secondsLeft']) == ('engineer', 7200)
    assert keys[2]['AccessKeyId'] == 'AKIATWO'
    assert fetch.calls == 2


@pytest.mark.parametrize('method, path', [('GET', '/credentials/status'), ('POST', '/credentials/refresh')])
def test_status_and_refresh_refuse_a_request_without_the_authorization_token(serve, method, path):
    # Prepare
    fetch = Fetch(issued('ONE', NOW + 3600))
    server = serve(fetch)
    # Act
    status, _headers, body = call(server, method, path, authorization='wrong')
    # Assess
    assert (status, body['Code']) == (401, 'Unauthorized')
    assert fetch.calls == 0


@pytest.mark.parametrize('method, path, allow', [
    ('POST', '/credentials/status', 'GET'), ('GET', '/credentials/refresh', 'POST'), ('POST', '/credentials', 'GET'),
])
def test_each_path_answers_its_own_method_only(serve, method, path, allow):
    # Prepare
    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    # Act
    status, headers, _body = call(server, method, path)
    # Assess
    assert (status, headers['Allow']) == (405, allow)


def test_a_failed_refresh_answers_503_and_the_cached_keys_still_serve(serve):
    # Prepare
    server = serve(Fetch(issued('ONE', NOW + 3600), FetchFailed('POST answered 502')), clock=lambda: NOW)
    call(server, 'GET', '/credentials')
    # Act
    refreshed = call(server, 'POST', '/credentials/refresh')
    keys = call(server, 'GET', '/credentials')
    # Assess
    assert (refreshed[0], refreshed[2]['Code']) == (503, 'CredentialsUnavailable')
    assert 'answered 502' in refreshed[2]['Message']
    assert keys[2]['AccessKeyId'] == 'AKIAONE'


def test_a_refresh_the_api_refuses_answers_403_and_keys_stop(serve):
    # Prepare
    server = serve(Fetch(issued('ONE', NOW + 3600), TokenDead('answered 403')), clock=lambda: NOW)
    call(server, 'GET', '/credentials')
    # Act
    refreshed = call(server, 'POST', '/credentials/refresh')
    keys = call(server, 'GET', '/credentials')
    # Assess
    assert (refreshed[0], refreshed[2]['Code']) == (403, 'TokenRevoked')
    assert keys[0] == 403


def test_refreshes_that_wait_for_a_running_fetch_take_its_outcome_instead_of_fetching_again():
    # Prepare: the first refresh holds the lock until released
    fetch = Fetch(issued('ONE', NOW + 3600))
    fetch.release = threading.Event()
    cache = credential_cache.CredentialCache(fetch, lambda: NOW)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.refresh().access_key_id)) for _ in range(3)]
    # Act
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # not a timed assertion: lets the other refreshes queue on the lock before the release
    fetch.release.set()
    for thread in threads:
        thread.join(10)
    # Assess
    assert results == ['AKIAONE'] * 3
    assert fetch.calls <= 2


def test_a_request_body_on_a_kept_alive_connection_does_not_spoil_the_next_request(serve):
    # Prepare
    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    with open(server.token_file) as handle:
        headers = {'Authorization': handle.read()}
    connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
    try:
        # Act
        connection.request('POST', '/credentials/refresh', body=b'{"any": "thing"}', headers=headers)
        first = connection.getresponse()
        first.read()
        connection.request('GET', '/credentials/status', headers=headers)
        second = connection.getresponse()
        body = json.loads(second.read())
    finally:
        connection.close()
    # Assess
    assert (first.status, second.status, body['role']) == (200, 200, 'analyst')
