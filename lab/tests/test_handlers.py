"""The Jupyter server's Orrery routes, in a real jupyter_server, against a fake Orrery API and sidecar."""


import nbformat
import pytest
from conftest import SIDECAR_TOKEN, TOKEN, free_port

from orrery_lab.orrery_api import OrreryApi, OrreryError, Settings

API = '/api/servers/lab%20one/lab'
SERVER = {'name': 'lab one', 'status': 'RUNNING', 'role': 'analyst', 'cullWarning': None}
NOTEBOOK_ID = 'nb-0123abcd'


def write_notebook(jupyter, name='report.ipynb', source='print(1)'):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    (jupyter.root / name).write_text(nbformat.writes(notebook))
    return notebook


def test_every_route_needs_a_jupyter_session_or_token(jupyter):
    # Act
    status, _body = jupyter.call('GET', '/orrery/server', signed_in=False, xsrf=False)
    # Assess
    assert status == 403
    assert jupyter.call('GET', '/orrery/config', signed_in=False, xsrf=False)[0] == 403


def test_a_write_from_the_browser_session_without_the_xsrf_token_is_refused(jupyter, orrery):
    # Prepare
    orrery.routes[('POST', f'{API}/keepalive')] = (200, SERVER)
    # Act
    refused, _ = jupyter.call('POST', '/orrery/keepalive', xsrf=False)
    accepted, body = jupyter.call('POST', '/orrery/keepalive')
    # Assess
    assert refused == 403
    assert (accepted, body) == (200, SERVER)
    assert len(orrery.made('POST', f'{API}/keepalive')) == 1
    assert orrery.made('POST', f'{API}/keepalive')[0]['body'] is None


def test_the_server_record_is_asked_with_the_server_token(jupyter, orrery):
    # Prepare
    warned = {**SERVER, 'cullWarning': {'reason': 'idle', 'warnedAt': '2030-01-01T00:00:00Z',
                                        'stopsAt': '2030-01-01T00:10:00Z'}}
    orrery.routes[('GET', f'{API}/server')] = (200, warned)
    # Act
    status, body = jupyter.call('GET', '/orrery/server')
    # Assess
    assert (status, body) == (200, warned)
    assert orrery.made('GET', f'{API}/server')[0]['headers']['authorization'] == f'token {TOKEN}'


def test_shutdown_goes_through_orrery(jupyter, orrery):
    # Prepare
    stopped = {**SERVER, 'status': 'STOPPING'}
    orrery.routes[('POST', f'{API}/shutdown')] = (200, stopped)
    # Act
    status, body = jupyter.call('POST', '/orrery/shutdown')
    # Assess
    assert (status, body['status']) == (200, 'STOPPING')


def test_config_tells_the_portal_and_server_name(jupyter):
    # Act
    status, body = jupyter.call('GET', '/orrery/config')
    # Assess
    assert status == 200
    assert body == {'configured': True, 'missing': [], 'serverName': 'lab one', 'portalUrl': 'http://portal.test',
                    'credentials': True}


def test_a_new_notebook_is_uploaded_inline_as_saved_with_title_tags_and_visibility(jupyter, orrery):
    # Prepare
    write_notebook(jupyter)
    saved = (jupyter.root / 'report.ipynb').read_text()
    orrery.routes[('POST', f'{API}/notebooks')] = (201, {
        'notebook': {'id': NOTEBOOK_ID, 'title': 'Sales report'}, 'version': {'notebookId': NOTEBOOK_ID, 'version': 1},
        'upload': None})
    # Act
    status, body = jupyter.call('POST', '/orrery/upload', {
        'path': 'report.ipynb', 'title': ' Sales report ', 'tags': 'sales, weekly', 'visibility': 'team',
        'message': 'first'})
    # Assess
    assert (status, body) == (201, {'notebookId': NOTEBOOK_ID, 'version': 1, 'title': 'Sales report',
                                    'url': f'http://portal.test/notebooks/{NOTEBOOK_ID}'})
    sent = orrery.made('POST', f'{API}/notebooks')[0]['body']
    assert sent == {'title': 'Sales report', 'tags': ['sales', 'weekly'], 'visibility': 'team', 'content': saved,
                    'message': 'first'}


def test_an_upload_with_a_notebook_id_commits_a_new_version(jupyter, orrery):
    # Prepare
    write_notebook(jupyter)
    orrery.routes[('POST', f'{API}/notebooks/{NOTEBOOK_ID}/versions')] = (201, {'notebookId': NOTEBOOK_ID,
                                                                               'version': 2})
    # Act
    status, body = jupyter.call('POST', '/orrery/upload', {'path': 'report.ipynb', 'notebookId': NOTEBOOK_ID})
    # Assess
    assert (status, body['version'], body['notebookId']) == (201, 2, NOTEBOOK_ID)
    sent = orrery.made('POST', f'{API}/notebooks/{NOTEBOOK_ID}/versions')[0]['body']
    assert nbformat.reads(sent['content'], as_version=4).cells[0].source == 'print(1)'
    assert 'message' not in sent


def test_an_upload_without_a_title_or_of_a_missing_file_says_what_is_wrong(jupyter, orrery):
    # Prepare
    write_notebook(jupyter)
    # Act
    untitled = jupyter.call('POST', '/orrery/upload', {'path': 'report.ipynb', 'title': ' '})
    missing = jupyter.call('POST', '/orrery/upload', {'path': 'gone.ipynb', 'title': 'x'})
    not_notebook = jupyter.call('POST', '/orrery/upload', {'path': 'a.py', 'title': 'x'})
    # Assess
    assert untitled == (400, {'error': 'bad-request', 'message': 'Give the notebook a title.'})
    assert missing[0] == 404 and 'gone.ipynb' in missing[1]['message']
    assert not_notebook[0] == 400
    assert orrery.requests == []


def test_orrerys_own_message_reaches_the_extension(jupyter, orrery):
    # Prepare
    write_notebook(jupyter)
    orrery.routes[('POST', f'{API}/notebooks/{NOTEBOOK_ID}/versions')] = (
        403, {'error': 'forbidden', 'message': 'only the owner may add versions'})
    orrery.routes[('GET', f'{API}/server')] = (403, {'error': 'forbidden', 'message': 'this server token does not '
                                                     "open server 'lab one'"})
    orrery.routes[('GET', f'{API}/tables')] = (500, {'error': 'internal', 'message': 'internal error; quote r-1'})
    # Act
    version = jupyter.call('POST', '/orrery/upload', {'path': 'report.ipynb', 'notebookId': NOTEBOOK_ID})
    server = jupyter.call('GET', '/orrery/server')
    tables = jupyter.call('GET', '/orrery/tables')
    # Assess
    assert version == (403, {'error': 'forbidden', 'message': 'only the owner may add versions'})
    assert server[0] == 403 and 'stopped or relaunched' in server[1]['message']
    assert "open server 'lab one'" in server[1]['message']
    assert tables[0] == 500 and 'quote r-1' in tables[1]['message'] and 'tell an admin' in tables[1]['message']


def test_an_unreachable_api_is_a_502_that_names_it():
    # Prepare: a port nothing listens on
    url = f'http://127.0.0.1:{free_port()}'
    api = OrreryApi(Settings({'ORRERY_API_URL': url, 'ORRERY_SERVER_NAME': 'a', 'JUPYTER_TOKEN': 't'}), timeout=5)
    # Act
    with pytest.raises(OrreryError) as raised:
        api.call('GET', '/server')
    # Assess
    assert (raised.value.status, raised.value.code) == (502, 'unreachable')
    assert url in raised.value.message


def test_outside_orrery_the_routes_say_which_variables_are_missing(bare_jupyter):
    # Prepare
    bare_jupyter.sign_in()
    # Act
    config = bare_jupyter.call('GET', '/orrery/config')
    server = bare_jupyter.call('GET', '/orrery/server')
    # Assess
    assert config[1]['configured'] is False
    assert config[1]['missing'] == ['ORRERY_API_URL', 'ORRERY_SERVER_NAME']
    assert server[0] == 503 and 'ORRERY_API_URL, ORRERY_SERVER_NAME missing' in server[1]['message']


def test_opening_a_version_writes_it_with_its_origin_and_never_overwrites(jupyter, orrery):
    # Prepare
    stored = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Hello')]))
    orrery.routes[('GET', f'{API}/notebooks/{NOTEBOOK_ID}/versions/2')] = (200, {
        'notebookId': NOTEBOOK_ID, 'version': 2,
        'download': {'method': 'GET', 'url': f'{orrery.url}/bucket/body', 'headers': {'x-check': 'yes'},
                     'expiresAt': '2030-01-01T00:00:00Z'}})
    orrery.routes[('GET', '/bucket/body')] = lambda request: (
        (200, stored.encode()) if request['headers'].get('x-check') == 'yes' else (403, {}))
    body = {'notebookId': NOTEBOOK_ID, 'version': 2, 'title': 'Sales report'}
    # Act
    first = jupyter.call('POST', '/orrery/open', body)
    second = jupyter.call('POST', '/orrery/open', body)
    # Assess
    assert first == (201, {'path': 'Sales-report-v2.ipynb', 'notebookId': NOTEBOOK_ID, 'version': 2,
                           'title': 'Sales report'})
    assert second[1]['path'] == 'Sales-report-v2-2.ipynb'
    written = nbformat.read(str(jupyter.root / 'Sales-report-v2.ipynb'), as_version=4)
    assert written.cells[0].source == '# Hello'
    assert written.metadata['orrery'] == {'notebookId': NOTEBOOK_ID, 'version': 2, 'title': 'Sales report'}


def test_opening_something_that_is_not_a_notebook_writes_nothing(jupyter, orrery):
    # Prepare
    orrery.routes[('GET', f'{API}/notebooks/{NOTEBOOK_ID}/versions/1')] = (200, {
        'download': {'method': 'GET', 'url': f'{orrery.url}/bucket/junk', 'headers': {}}})
    orrery.routes[('GET', '/bucket/junk')] = (200, b'not json')
    # Act
    status, body = jupyter.call('POST', '/orrery/open', {'notebookId': NOTEBOOK_ID, 'version': 1})
    # Assess
    assert (status, body['error']) == (502, 'bad-notebook')
    assert list(jupyter.root.glob('*.ipynb')) == []


def test_notebook_search_and_versions_pass_their_query_on(jupyter, orrery):
    # Prepare
    orrery.routes[('GET', f'{API}/notebooks')] = (200, {'items': [], 'nextCursor': None})
    orrery.routes[('GET', f'{API}/notebooks/{NOTEBOOK_ID}/versions')] = (200, {'items': [], 'nextCursor': None})
    # Act
    search = jupyter.call('GET', '/orrery/notebooks?q=Sales&tag=weekly')
    versions = jupyter.call('GET', f'/orrery/notebooks/{NOTEBOOK_ID}/versions')
    # Assess
    assert search[0] == versions[0] == 200
    assert orrery.made('GET', f'{API}/notebooks')[0]['query'] == 'q=Sales&tag=weekly'


def sidecar(orrery, role='analyst', seconds=3000):
    """The fake sidecar's status and refresh, which check the authorization token."""
    def answer(request):
        if request['headers'].get('authorization') != SIDECAR_TOKEN:
            return 401, {'Code': 'Unauthorized', 'Message': 'no'}
        return 200, {'role': role, 'account': 'data-dev', 'expiration': '2030-01-01T00:50:00Z',
                     'secondsLeft': seconds, 'AccessKeyId': 'AKIA-MUST-NOT-PASS'}

    orrery.routes[('GET', '/credentials/status')] = answer
    orrery.routes[('POST', '/credentials/refresh')] = answer


def test_credentials_answer_role_and_expiry_from_the_sidecar_and_never_keys(jupyter, orrery):
    # Prepare
    orrery.routes[('GET', f'{API}/server')] = (200, SERVER)
    sidecar(orrery)
    # Act
    status, body = jupyter.call('GET', '/orrery/credentials')
    # Assess
    assert (status, body) == (200, {'role': 'analyst', 'account': 'data-dev', 'expiration': '2030-01-01T00:50:00Z',
                                    'secondsLeft': 3000})


def test_refresh_now_asks_the_sidecar_for_new_keys(jupyter, orrery):
    # Prepare
    orrery.routes[('GET', f'{API}/server')] = (200, SERVER)
    sidecar(orrery, seconds=3600)
    # Act
    status, body = jupyter.call('POST', '/orrery/credentials/refresh')
    # Assess
    assert (status, body['secondsLeft']) == (200, 3600)
    assert len(orrery.made('POST', '/credentials/refresh')) == 1
    assert jupyter.call('GET', '/orrery/credentials/refresh')[0] == 405


def test_switching_role_sets_it_in_orrery_then_refreshes_the_keys(jupyter, orrery):
    # Prepare
    orrery.routes[('PUT', f'{API}/role')] = (200, {**SERVER, 'role': 'engineer'})
    sidecar(orrery, role='engineer')
    # Act
    status, body = jupyter.call('PUT', '/orrery/role', {'role': 'engineer'})
    # Assess
    assert status == 200
    assert body['server']['role'] == 'engineer' and body['credentials']['role'] == 'engineer'
    assert orrery.made('PUT', f'{API}/role')[0]['body'] == {'role': 'engineer'}
    assert [r['path'] for r in orrery.requests] == [f'{API}/role', '/credentials/refresh']


def test_a_server_without_a_role_says_so_without_asking_the_sidecar(jupyter, orrery):
    # Prepare
    orrery.routes[('GET', f'{API}/server')] = (200, {**SERVER, 'role': None})
    # Act
    status, body = jupyter.call('GET', '/orrery/credentials')
    # Assess
    assert status == 200
    assert body['role'] is None and 'no AWS role' in body['message']
    assert orrery.made('GET', '/credentials/status') == []


def test_a_sidecar_that_cannot_get_keys_is_a_message_not_a_failure(jupyter, orrery):
    # Prepare
    orrery.routes[('GET', f'{API}/server')] = (200, SERVER)
    orrery.routes[('GET', '/credentials/status')] = (503, {'Code': 'CredentialsUnavailable', 'Message': 'STS down'})
    # Act
    status, body = jupyter.call('GET', '/orrery/credentials')
    # Assess
    assert (status, body) == (200, {'role': 'analyst', 'message': 'The credentials service could not get keys: '
                                                                  'STS down.'})


def test_roles_and_tables_are_the_apis_answers(jupyter, orrery):
    # Prepare
    roles = {'items': [{'name': 'analyst', 'account': 'data-dev', 'environment': 'dev'}]}
    tables = {'items': [{'catalog': 'sqlite', 'database': 'shop', 'name': 'orders', 'columns': [], 'templates': []}]}
    orrery.routes[('GET', f'{API}/roles')] = (200, roles)
    orrery.routes[('GET', f'{API}/tables')] = (200, tables)
    # Act
    got_roles = jupyter.call('GET', '/orrery/roles')
    got_tables = jupyter.call('GET', '/orrery/tables?q=ord')
    # Assess
    assert got_roles == (200, roles) and got_tables == (200, tables)
    assert orrery.made('GET', f'{API}/tables')[0]['query'] == 'q=ord'
