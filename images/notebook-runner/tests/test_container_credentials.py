"""The container-credentials server: its answer, its refusals, its cache, its fetch from the API, and real SDKs."""

import datetime
import http.client
import json
import os
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import missing, require
from fake_api import iso, issued

from orrery_runner import container_credentials, credential_cache
from orrery_runner.container_credentials import ContainerCredentialsServer
from orrery_runner.credential_cache import REFRESH_BEFORE_SECONDS, FetchFailed, TokenDead, parse_expiration
from orrery_runner.credentials_api import api_fetcher, start_for_run

NOW = 1_900_000_000.0
ROOT = Path(__file__).resolve().parents[3]


class Clock:
    """A clock the test moves."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Fetch:
    """A fetch() that returns (or raises) the next of `results`, counting its calls; the last result repeats."""

    def __init__(self, *results):
        self.results, self.calls = list(results), 0
        self.started, self.release = threading.Event(), None

    def __call__(self):
        self.calls += 1
        self.started.set()
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

    def start(fetch, clock=None):
        server = ContainerCredentialsServer(fetch, str(tmp_path / 'token'), clock=clock or time.time,
                                            log=lambda _message: None)
        server.poll_seconds = 0.02
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.close()


def token_of(server):
    with open(server.token_file) as handle:
        return handle.read()


def request(server, headers=None, path='/credentials', method='GET', host='default', authorized=True):
    """One request with exactly the headers given (Host included); returns (status, headers, JSON body)."""
    connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host == 'default':
            host = f'127.0.0.1:{server.port}'
        if host is not None:
            connection.putheader('Host', host)
        if authorized:
            connection.putheader('Authorization', token_of(server))
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b'null')
    finally:
        connection.close()


def test_it_answers_the_four_fields_with_the_expiration_in_utc_with_z(serve):
    # Prepare: the API's time with an offset and milliseconds
    payload = {**issued('ONE', NOW + 3600), 'expiration': '2030-03-15T12:30:45.678+02:00'}
    server = serve(Fetch(payload), Clock(parse_expiration('2030-03-15T08:00:00Z').timestamp()))
    # Act
    status, headers, body = request(server)
    # Assess
    assert status == 200
    assert body == {'AccessKeyId': 'AKIAONE', 'SecretAccessKey': 'secret-ONE', 'Token': 'session-ONE',
                    'Expiration': '2030-03-15T10:30:45Z'}
    assert headers['Content-Type'] == 'application/json'
    assert headers['Cache-Control'] == 'no-store'


def test_the_token_file_is_mode_0600_has_no_newline_and_the_environment_names_only_url_and_file(serve, tmp_path):
    # Prepare
    server = serve(Fetch(issued('ONE', NOW + 3600)))
    # Act
    environment = server.environment()
    token = token_of(server)
    # Assess
    assert environment == {'AWS_CONTAINER_CREDENTIALS_FULL_URI': f'http://127.0.0.1:{server.port}/credentials',
                           'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': str(tmp_path / 'token')}
    assert stat.S_IMODE(os.stat(server.token_file).st_mode) == 0o600
    assert len(token) >= 40 and token.strip() == token
    assert os.listdir(tmp_path) == ['token']


def test_closing_the_server_removes_its_token_file(serve):
    # Prepare
    server = serve(Fetch(issued('ONE', NOW + 3600)))
    # Act
    server.close()
    # Assess
    assert not os.path.exists(server.token_file)


def test_a_kept_alive_connection_gets_no_keys_once_the_server_is_closed(serve):
    # Prepare: SDKs keep their connection open between requests
    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    headers = {'Host': f'127.0.0.1:{server.port}', 'Authorization': token_of(server)}
    connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
    try:
        connection.request('GET', '/credentials', headers=headers)
        before = connection.getresponse()
        before.read()
        # Act
        server.close()
        connection.request('GET', '/credentials', headers=headers)
        after = connection.getresponse()
        after.read()
    finally:
        connection.close()
    # Assess
    assert (before.status, after.status) == (200, 503)


@pytest.mark.parametrize('authorization', [None, '', 'wrong', 'Bearer {token}', '{token}x', 'token {token}'])
def test_a_missing_or_wrong_authorization_is_refused_with_401_and_fetches_nothing(serve, authorization):
    # Prepare
    fetch = Fetch(issued('ONE', NOW + 3600))
    server = serve(fetch)
    headers = {} if authorization is None else {'Authorization': authorization.format(token=token_of(server))}
    # Act
    status, _headers, body = request(server, headers, authorized=False)
    # Assess
    assert status == 401
    assert body['Code'] == 'Unauthorized'
    assert fetch.calls == 0


@pytest.mark.parametrize('header, value', [
    ('Origin', 'https://evil.example'), ('Origin', 'null'), ('Referer', 'http://127.0.0.1:8888/lab'),
    ('X-Forwarded-For', '10.0.0.7'),
])
def test_browser_shaped_requests_are_refused_with_403_even_with_the_token(serve, header, value):
    # Prepare
    fetch = Fetch(issued('ONE', NOW + 3600))
    server = serve(fetch)
    # Act
    status, _headers, body = request(server, {header: value})
    # Assess
    assert status == 403
    assert body['Code'] == 'Forbidden'
    assert fetch.calls == 0


@pytest.mark.parametrize('host', [
    'evil.example', '127.0.0.1.nip.io', 'localhost:1', '169.254.170.2', '[::1]', '127.0.0.2', '', None,
])
def test_a_host_that_is_not_this_server_by_loopback_is_refused_with_403(serve, host):
    # Prepare: DNS rebinding makes a page's requests carry its own host name
    fetch = Fetch(issued('ONE', NOW + 3600))
    server = serve(fetch)
    # Act
    status, _headers, _body = request(server, host=host)
    # Assess
    assert status == 403
    assert fetch.calls == 0


@pytest.mark.parametrize('host', ['127.0.0.1', 'localhost', '127.0.0.1:{port}', 'localhost:{port}', 'LocalHost'])
def test_a_loopback_host_with_or_without_the_port_is_served(serve, host):
    # Prepare
    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    # Act
    status, _headers, _body = request(server, host=host.format(port=server.port))
    # Assess
    assert status == 200


@pytest.mark.parametrize('method, path, expected', [
    ('GET', '/', 404), ('GET', '/credentials/x', 404), ('GET', '/latest/meta-data/', 404),
    ('POST', '/credentials', 405), ('PUT', '/credentials', 405), ('GET', '/credentials?x=1', 200),
])
def test_only_get_on_credentials_is_served(serve, method, path, expected):
    # Prepare
    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    # Act
    status, _headers, _body = request(server, path=path, method=method)
    # Assess
    assert status == expected


def test_keys_with_more_than_15_minutes_left_come_from_the_cache_and_are_refreshed_with_less():
    # Prepare
    clock = Clock()
    fetch = Fetch(issued('ONE', NOW + 3600), issued('TWO', NOW + 7200))
    cache = credential_cache.CredentialCache(fetch, clock)
    # Act
    first = cache.get()
    clock.now = NOW + 3600 - REFRESH_BEFORE_SECONDS - 1
    still_first = cache.get()
    calls_before_refresh = fetch.calls
    clock.now = NOW + 3600 - REFRESH_BEFORE_SECONDS + 1
    second = cache.get()
    # Assess
    assert (first.access_key_id, still_first.access_key_id, second.access_key_id) == ('AKIAONE', 'AKIAONE',
                                                                                      'AKIATWO')
    assert calls_before_refresh == 1
    assert fetch.calls == 2


def test_keys_that_come_with_15_minutes_or_less_are_fetched_again_at_most_every_30_seconds():
    # Prepare: a role whose sessions last 15 minutes, STS's shortest
    clock = Clock()
    fetch = Fetch(issued('ONE', NOW + 900), issued('TWO', NOW + 929), issued('THREE', NOW + 960))
    cache = credential_cache.CredentialCache(fetch, clock)
    # Act
    first = cache.get()
    clock.now = NOW + 29
    still_first = cache.get()
    clock.now = NOW + 31
    second = cache.get()
    # Assess
    assert [k.access_key_id for k in (first, still_first, second)] == ['AKIAONE', 'AKIAONE', 'AKIATWO']
    assert fetch.calls == 2


@pytest.mark.parametrize('lifetime', [3600, 600])
def test_a_burst_of_requests_makes_a_single_fetch_that_all_of_them_wait_for(serve, lifetime):
    # Prepare: keys that come with less than 15 minutes left (600) are still fetched once per burst
    clock = Clock()
    fetch = Fetch(issued('ONE', NOW + lifetime))
    fetch.release = threading.Event()
    server = serve(fetch, clock)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(request(server))) for _ in range(16)]
    # Act
    for thread in threads:
        thread.start()
    assert fetch.started.wait(10)
    time.sleep(0.3)  # the other requests reach the lock and wait there
    fetch.release.set()
    for thread in threads:
        thread.join(10)
    # Assess
    assert [status for status, _headers, _body in answers] == [200] * 16
    assert {body['AccessKeyId'] for _status, _headers, body in answers} == {'AKIAONE'}
    assert fetch.calls == 1


def test_a_dead_token_answers_403_drops_the_cached_keys_and_keeps_refusing(serve):
    # Prepare: the cached keys are still valid for ten minutes when the API says the server is gone
    clock = Clock()
    fetch = Fetch(issued('ONE', NOW + 3600), TokenDead('POST /servers/s/credentials answered 401'))
    server = serve(fetch, clock)
    assert request(server)[0] == 200
    clock.now = NOW + 3000
    # Act
    first = request(server)
    clock.now = NOW + 10  # even a time when the old keys would be fresh again
    again = request(server)
    # Assess
    assert first[0] == 403 and first[2]['Code'] == 'TokenRevoked'
    assert again[0] == 403
    assert fetch.calls == 2
    assert server.cache._keys is None


def test_an_upstream_error_without_cached_keys_answers_503_with_a_short_message(serve):
    # Prepare
    fetch = Fetch(FetchFailed('POST http://api/servers/s/credentials answered 502'))
    server = serve(fetch)
    # Act
    status, _headers, body = request(server)
    # Assess
    assert status == 503
    assert body['Code'] == 'CredentialsUnavailable'
    assert 'answered 502' in body['Message'] and len(body['Message']) <= 300


@pytest.mark.parametrize('broken', [
    {'accessKeyId': 'A', 'secretAccessKey': 'S', 'expiration': iso(NOW + 3600)},
    {**issued('ONE', NOW + 3600), 'expiration': 'tomorrow'},
    ['not', 'an', 'object'],
    KeyError('surprise'),
])
def test_a_fetch_that_gives_no_usable_keys_answers_503(serve, broken):
    # Prepare
    server = serve(Fetch(broken), Clock())
    # Act
    status, _headers, body = request(server)
    # Assess
    assert status == 503
    assert body['Code'] == 'CredentialsUnavailable'


def test_an_upstream_error_keeps_serving_the_cached_keys_while_they_last_then_answers_503(serve):
    # Prepare
    clock = Clock()
    fetch = Fetch(issued('ONE', NOW + 3600), FetchFailed('timed out'), FetchFailed('timed out'),
                  issued('TWO', NOW + 7200))
    server = serve(fetch, clock)
    assert request(server)[2]['AccessKeyId'] == 'AKIAONE'
    # Act: ten minutes left, the API fails: the old keys still serve, and moments later without a refetch
    clock.now = NOW + 3000
    through_failure = request(server)
    clock.now += 1
    during_backoff = request(server)
    calls_during_backoff = fetch.calls
    # ... 30 seconds left and the API still fails: nothing usable to give
    clock.now = NOW + 3570
    near_the_end = request(server)
    # ... the API is back
    recovered = request(server)
    # Assess
    assert through_failure[0] == 200 and through_failure[2]['AccessKeyId'] == 'AKIAONE'
    assert during_backoff[0] == 200 and calls_during_backoff == 2
    assert near_the_end[0] == 503
    assert recovered[0] == 200 and recovered[2]['AccessKeyId'] == 'AKIATWO'


@pytest.mark.parametrize('text', [
    '2030-01-01T10:00:00Z', '2030-01-01T10:00:00.999Z', '2030-01-01T12:00:00+02:00', '2030-01-01T09:00:00-0100',
    '2030-01-01T10:00:00.123456789Z', '2030-01-01 10:00:00z',
])
def test_expirations_in_iso_8601_are_read_as_utc(text):
    # Act
    moment = parse_expiration(text)
    # Assess
    assert moment.replace(microsecond=0) == datetime.datetime(2030, 1, 1, 10, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize('text', ['tomorrow', '2030-01-01T10:00:00', 1893492000, None, ''])
def test_an_expiration_that_is_not_iso_8601_with_a_zone_is_a_failed_fetch(text):
    # Act / Assess
    with pytest.raises(FetchFailed):
        parse_expiration(text)


def test_the_api_fetch_posts_with_the_token_and_returns_the_json(api):
    # Prepare
    fake = api((200, issued('ONE', NOW + 3600)))
    fetch = api_fetcher(f'{fake.url}/servers/lab/credentials', 'srv.secret')
    # Act
    answer = fetch()
    # Assess
    assert answer['accessKeyId'] == 'AKIAONE'
    assert fake.requests[0]['path'] == '/servers/lab/credentials'
    assert fake.requests[0]['headers']['Authorization'] == 'token srv.secret'


@pytest.mark.parametrize('status, error', [
    (401, TokenDead), (403, TokenDead), (404, TokenDead), (409, FetchFailed), (429, FetchFailed),
    (500, FetchFailed), (503, FetchFailed),
])
def test_the_api_fetch_tells_a_dead_token_from_other_failures(api, status, error):
    # Prepare
    fake = api((status, {'message': 'no'}))
    fetch = api_fetcher(f'{fake.url}/servers/lab/credentials', 'srv.secret')
    # Act / Assess
    with pytest.raises(error, match=f'answered {status}'):
        fetch()


def test_the_api_fetch_fails_on_an_answer_that_is_not_json(api):
    # Prepare
    fake = api((200, b'<html>'))
    # Act / Assess
    with pytest.raises(FetchFailed, match='not JSON'):
        api_fetcher(f'{fake.url}/x', 't')()


def test_the_api_fetch_fails_when_the_api_does_not_answer(api):
    # Prepare
    fake = api((200, {}))
    fake.close()
    # Act / Assess
    with pytest.raises(FetchFailed, match='failed'):
        api_fetcher(f'{fake.url}/x', 't', timeout=2)()


def test_the_api_fetch_ignores_proxies_for_loopback(api, monkeypatch):
    # Prepare: a proxy that does not exist; going through it would fail
    monkeypatch.setenv('http_proxy', 'http://127.0.0.1:9')
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')
    monkeypatch.delenv('no_proxy', raising=False)
    monkeypatch.delenv('NO_PROXY', raising=False)
    fake = api((200, issued('ONE', NOW + 3600)))
    # Act
    answer = api_fetcher(f'{fake.url}/servers/lab/credentials', 't')()
    # Assess
    assert answer['accessKeyId'] == 'AKIAONE'


def test_the_runner_helper_serves_the_runs_keys_from_the_run_route_with_the_run_token(api, tmp_path):
    # Prepare
    fake = api((200, issued('RUN', time.time() + 3600)))
    cwd = tmp_path / 'work'
    cwd.mkdir()
    # Act
    server, environment = start_for_run(fake.url + '/', 'run 7', 'run.secret', str(cwd), str(tmp_path))
    try:
        token_file = server.token_file
        status, _headers, body = request(server)
        wrong, _headers, _body = request(server, headers={'Authorization': 'not-the-token'}, authorized=False)
        folder_mode = stat.S_IMODE(os.stat(os.path.dirname(token_file)).st_mode)
        url, token = f'http://127.0.0.1:{server.port}/credentials', token_of(server)
    finally:
        server.close()
    # Assess: the token itself (Debian 12's botocore reads no file), never the file's variable beside it.
    assert sorted(environment) == ['AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']
    assert environment['AWS_CONTAINER_CREDENTIALS_FULL_URI'] == url
    assert environment['AWS_CONTAINER_AUTHORIZATION_TOKEN'] == token != 'run.secret'
    assert status == 200 and body['AccessKeyId'] == 'AKIARUN' and wrong == 401
    assert fake.requests[0]['path'] == '/runs/run%207/credentials'
    assert fake.requests[0]['headers']['Authorization'] == 'token run.secret'
    assert not token_file.startswith(str(cwd)) and folder_mode == 0o700
    assert not os.path.exists(os.path.dirname(token_file))


def test_the_runner_helper_refuses_a_token_directory_inside_the_kernels_working_directory(tmp_path):
    # Act / Assess
    with pytest.raises(ValueError, match='inside the kernel working directory'):
        start_for_run('http://127.0.0.1:1', 'r1', 't', str(tmp_path), str(tmp_path / 'sub'))
    with pytest.raises(ValueError):
        start_for_run('http://127.0.0.1:1', 'r1', 't', str(tmp_path), str(tmp_path))


# Real clients. Each reads the server the way a notebook's code does, with nothing but its environment.

def botocore_supports_token_file():
    from botocore.credentials import ContainerProvider

    return hasattr(ContainerProvider, 'ENV_VAR_AUTH_TOKEN_FILE')


@pytest.fixture
def aws_environment(monkeypatch, tmp_path):
    """An environment where only the container provider can find credentials."""
    require('boto3', 'apt-get install python3-boto3')
    for name in list(os.environ):
        if name.startswith('AWS_'):
            monkeypatch.delenv(name)
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'no-config'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'no-credentials'))
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')

    def use(server, token_variable=False):
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        if token_variable:  # a botocore that predates the token file (Debian 12's 1.29)
            monkeypatch.delenv('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')
            monkeypatch.setenv('AWS_CONTAINER_AUTHORIZATION_TOKEN', token_of(server))

    return use


def test_botocore_reads_the_keys_with_the_two_variables_it_understands(serve, aws_environment):
    # Prepare: the token file where botocore reads one, else the token variable (Debian 12's botocore 1.29); the JS
    # SDK's test below covers the file with a client that reads it
    import boto3

    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    aws_environment(server, token_variable=not botocore_supports_token_file())
    # Act
    credentials = boto3.Session().get_credentials()
    frozen = credentials.get_frozen_credentials()
    # Assess
    assert credentials.method == 'container-role'
    assert (frozen.access_key, frozen.secret_key, frozen.token) == ('AKIAONE', 'secret-ONE', 'session-ONE')


def test_botocore_reads_the_keys_and_picks_up_the_next_ones_when_fewer_than_15_minutes_remain(serve,
                                                                                              aws_environment):
    # Prepare: the first keys have 15 minutes and 2 seconds left, so botocore refreshes them 2 s later; the server's
    # clock runs a minute ahead by then, past the 30 s in which it serves short-lived keys again without a fetch
    import boto3

    fetch = Fetch(issued('ONE', int(time.time()) + REFRESH_BEFORE_SECONDS + 2), issued('TWO', time.time() + 3600))
    ahead = {'seconds': 0}
    server = serve(fetch, lambda: time.time() + ahead['seconds'])
    aws_environment(server, token_variable=not botocore_supports_token_file())
    credentials = boto3.Session().get_credentials()
    first = credentials.get_frozen_credentials()
    # Act
    time.sleep(2.2)
    ahead['seconds'] = 60
    second = credentials.get_frozen_credentials()
    # Assess
    assert credentials.method == 'container-role'
    assert (first.access_key, second.access_key) == ('AKIAONE', 'AKIATWO')
    assert second.token == 'session-TWO'
    assert fetch.calls == 2


def test_botocore_is_refused_when_the_server_token_is_dead(serve, aws_environment, monkeypatch):
    # Prepare: botocore tries 3 times, 1 s apart
    import boto3
    import botocore.utils
    from botocore.exceptions import CredentialRetrievalError

    monkeypatch.setattr(botocore.utils.ContainerMetadataFetcher, 'SLEEP_TIME', 0)
    server = serve(Fetch(TokenDead('answered 404')))
    aws_environment(server, token_variable=not botocore_supports_token_file())
    # Act / Assess
    with pytest.raises(CredentialRetrievalError, match='403'):
        boto3.Session().get_credentials()


def test_the_js_sdk_reads_the_keys_with_exactly_the_two_variables(serve):
    # Prepare: the repository's own @aws-sdk/credential-provider-http (installed for the API)
    module = ROOT / 'node_modules' / '@aws-sdk' / 'credential-provider-http'
    node = shutil.which('node')
    if node is None or not module.is_dir():
        missing('node or node_modules/@aws-sdk/credential-provider-http', 'npm ci')
    server = serve(Fetch(issued('ONE', time.time() + 3600)))
    script = ("require('@aws-sdk/credential-provider-http').fromHttp()().then("
              "(c) => console.log(JSON.stringify({...c, expiration: c.expiration.toISOString()})),"
              "(e) => { console.error(String(e)); process.exit(1); })")
    environment = {name: value for name, value in os.environ.items() if not name.startswith('AWS_')}
    # Act
    child = subprocess.run([node, '-e', script], cwd=ROOT, env={**environment, **server.environment()},
                           capture_output=True, text=True, timeout=60)
    # Assess
    assert child.returncode == 0, child.stderr
    keys = json.loads(child.stdout)
    assert (keys['accessKeyId'], keys['secretAccessKey'], keys['sessionToken']) == ('AKIAONE', 'secret-ONE',
                                                                                   'session-ONE')
    assert keys['expiration'].endswith('.000Z')
