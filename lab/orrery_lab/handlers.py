"""The Jupyter server's Orrery routes under <base_url>orrery/, which the Orrery JupyterLab extension calls.

Jupyter authenticates each request (its session cookie or token; XSRF on writes, as every Jupyter API route); the
handler then calls Orrery's API with this server's own token (`/servers/{name}/lab/...`) or the credentials sidecar.
No user JWT reaches the browser, and no AWS key leaves the server: the credentials routes answer role and expiry.
docs/jupyterlab-extension.md lists the routes.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any, Callable, Dict, Optional

import nbformat
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async, url_path_join
from tornado import web
from tornado.ioloop import IOLoop

from .orrery_api import OrreryApi, OrreryError, Sidecar, Settings, settings_from_environment

NOTEBOOK_ID = r'nb-[0-9a-z]{8,40}'
VISIBILITIES = ('private', 'team', 'org')


class OrreryHandler(APIHandler):
    """Common parts: the clients, JSON in and out, and OrreryError as a JSON answer the extension shows."""

    @property
    def orrery(self) -> Dict[str, Any]:
        return self.settings['orrery']

    @property
    def api(self) -> OrreryApi:
        return self.orrery['api']

    async def blocking(self, call: Callable[..., Any], *args: Any) -> Any:
        """Runs a blocking client call in a thread, so the server keeps serving kernels meanwhile."""
        return await IOLoop.current().run_in_executor(None, call, *args)

    def body(self) -> Dict[str, Any]:
        try:
            value = json.loads(self.request.body or b'{}')
        except ValueError:
            raise OrreryError(400, 'bad-request', 'The request body is not JSON.') from None
        if not isinstance(value, dict):
            raise OrreryError(400, 'bad-request', 'The request body must be a JSON object.')
        return value

    def reply(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header('Cache-Control', 'no-store')
        self.finish(json.dumps(value))

    def fail(self, error: OrreryError) -> None:
        self.reply({'error': error.code, 'message': error.message}, error.status)

    async def answer(self, work: Callable[[], Any], status: int = 200) -> None:
        """Runs `work` (a coroutine function) and replies with its value, or with the OrreryError it raised."""
        try:
            value = await work()
        except OrreryError as error:
            self.fail(error)
            return
        self.reply(value, status)

    async def lab(self, method: str, route: str, body: Any = None, query: Optional[Dict[str, str]] = None) -> Any:
        return await self.blocking(self.api.call, method, route, body, query)


class ConfigHandler(OrreryHandler):
    """GET orrery/config: what the extension needs to know about this server, and whether Orrery runs it."""

    @web.authenticated
    async def get(self) -> None:
        settings: Settings = self.orrery['settings']
        self.reply({'configured': not settings.missing, 'missing': settings.missing,
                    'serverName': settings.server_name or None, 'portalUrl': settings.portal_url or None,
                    'credentials': settings.has_credentials})


class ServerHandler(OrreryHandler):
    """GET orrery/server: the server record (status, role, cull warning)."""

    @web.authenticated
    async def get(self) -> None:
        await self.answer(lambda: self.lab('GET', '/server'))


class ServerActionHandler(OrreryHandler):
    """POST orrery/keepalive and orrery/shutdown: the server record after the action."""

    @web.authenticated
    async def post(self, action: str) -> None:
        # No body: the API's keepalive and shutdown routes take none and refuse one.
        await self.answer(lambda: self.lab('POST', f'/{action}'))


class RolesHandler(OrreryHandler):
    """GET orrery/roles: the AWS roles the server's owner holds, with account and environment."""

    @web.authenticated
    async def get(self) -> None:
        await self.answer(lambda: self.lab('GET', '/roles'))


class RoleHandler(OrreryHandler):
    """PUT orrery/role {role}: switches the server's role, then has the sidecar fetch keys for it at once."""

    @web.authenticated
    async def put(self) -> None:
        async def work() -> Any:
            role = self.body().get('role')
            if role is not None and (not isinstance(role, str) or not role):
                raise OrreryError(400, 'bad-request', 'role must be a role name or null.')
            server = await self.lab('PUT', '/role', {'role': role})
            credentials = await credentials_of(self, server, refresh=True)
            return {'server': server, 'credentials': credentials}

        await self.answer(work)


async def credentials_of(handler: OrreryHandler, server: Any, refresh: bool = False) -> Dict[str, Any]:
    """The sidecar's status (role, account, expiration, secondsLeft) or why there is none; never keys."""
    role = server.get('role') if isinstance(server, dict) else None
    if not role:
        return {'role': None, 'message': 'This server has no AWS role: choose one to get keys.'}
    sidecar: Sidecar = handler.orrery['sidecar']
    try:
        status = await handler.blocking(sidecar.call, 'POST' if refresh else 'GET',
                                        '/refresh' if refresh else '/status')
    except OrreryError as error:
        return {'role': role, 'message': error.message}
    if not isinstance(status, dict):
        return {'role': role, 'message': 'The credentials service answered something unexpected.'}
    keep = ('role', 'account', 'expiration', 'secondsLeft')
    return {**{k: status.get(k) for k in keep}, 'role': status.get('role') or role}


class CredentialsHandler(OrreryHandler):
    """GET orrery/credentials: the server's role and its keys' expiry."""

    @web.authenticated
    async def get(self) -> None:
        await self.answer(lambda: self.status(refresh=False))

    async def status(self, refresh: bool) -> Any:
        server = await self.lab('GET', '/server')
        return await credentials_of(self, server, refresh)


class RefreshHandler(CredentialsHandler):
    """POST orrery/credentials/refresh: new keys now; answers as GET orrery/credentials."""

    SUPPORTED_METHODS = ('POST',)

    @web.authenticated
    async def post(self) -> None:
        await self.answer(lambda: self.status(refresh=True))


class NotebooksHandler(OrreryHandler):
    """GET orrery/notebooks?q=&tag=&cursor=: Folium notebooks the owner may read."""

    @web.authenticated
    async def get(self) -> None:
        query = {name: self.get_query_argument(name, '') for name in ('q', 'tag', 'cursor', 'limit')}
        await self.answer(lambda: self.lab('GET', '/notebooks', query=query))


class VersionsHandler(OrreryHandler):
    """GET orrery/notebooks/{id}/versions?cursor=: a notebook's versions, newest first."""

    @web.authenticated
    async def get(self, notebook_id: str) -> None:
        query = {'cursor': self.get_query_argument('cursor', '')}
        await self.answer(lambda: self.lab('GET', f'/notebooks/{notebook_id}/versions', query=query))


class TablesHandler(OrreryHandler):
    """GET orrery/tables?q=: the data tables the server's role can see, each with its code templates."""

    @web.authenticated
    async def get(self) -> None:
        query = {'q': self.get_query_argument('q', '')}
        await self.answer(lambda: self.lab('GET', '/tables', query=query))


def upload_fields(body: Dict[str, Any]) -> Dict[str, Any]:
    """The fields of a new Folium notebook, checked enough to give a clear message before Orrery does."""
    title = body.get('title')
    if not isinstance(title, str) or not title.strip():
        raise OrreryError(400, 'bad-request', 'Give the notebook a title.')
    fields: Dict[str, Any] = {'title': title.strip()}
    tags = body.get('tags', [])
    if isinstance(tags, str):
        tags = [t for t in re.split(r'[\s,]+', tags) if t]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise OrreryError(400, 'bad-request', 'tags must be a list of words.')
    if tags:
        fields['tags'] = [t.strip().lower() for t in tags]
    visibility = body.get('visibility') or 'private'
    if visibility not in VISIBILITIES:
        raise OrreryError(400, 'bad-request', f'visibility must be one of {", ".join(VISIBILITIES)}.')
    fields['visibility'] = visibility
    return fields


class UploadHandler(OrreryHandler):
    """POST orrery/upload {path, notebookId?, title?, tags?, visibility?, message?}: the saved notebook to Folium.

    With notebookId, a new version of that notebook; without, a new notebook (title, tags, visibility). The
    notebook is read as saved on disk (the extension saves first) and sent inline.
    """

    @web.authenticated
    async def post(self) -> None:
        await self.answer(self.upload, 201)

    async def upload(self) -> Any:
        body = self.body()
        path = body.get('path')
        if not isinstance(path, str) or not path.endswith('.ipynb'):
            raise OrreryError(400, 'bad-request', 'Only notebooks (.ipynb) can be uploaded to Folium.')
        text = await self.saved_text(path)
        message = body.get('message') if isinstance(body.get('message'), str) and body['message'].strip() else None
        notebook_id = body.get('notebookId')
        extra = {'message': message.strip()} if message else {}
        if notebook_id:
            if not isinstance(notebook_id, str) or not re.fullmatch(NOTEBOOK_ID, notebook_id):
                raise OrreryError(400, 'bad-request', 'notebookId must be a Folium notebook id (nb-…).')
            version = await self.lab('POST', f'/notebooks/{notebook_id}/versions', {'content': text, **extra})
            title = body.get('title') if isinstance(body.get('title'), str) else None
        else:
            fields = upload_fields(body)
            created = await self.lab('POST', '/notebooks', {**fields, 'content': text, **extra})
            version, title = created.get('version') or {}, created.get('notebook', {}).get('title')
            notebook_id = created.get('notebook', {}).get('id') or version.get('notebookId')
        settings: Settings = self.orrery['settings']
        return {'notebookId': notebook_id, 'version': version.get('version'), 'title': title,
                'url': settings.portal_link('notebooks', notebook_id)}

    async def saved_text(self, path: str) -> str:
        manager = self.contents_manager
        try:
            model = await ensure_async(manager.get(path, content=True, type='notebook'))
        except web.HTTPError as exc:
            raise OrreryError(404 if exc.status_code == 404 else 400, 'not-found',
                              f'{path} cannot be read: {exc.log_message or exc.reason}') from None
        return nbformat.writes(nbformat.from_dict(model['content']))


def file_name(title: str, version: int) -> str:
    """A file name from a title: letters, digits, dashes and underscores kept, the version added."""
    stem = re.sub(r'[^\w.-]+', '-', title, flags=re.UNICODE).strip('-.') or 'notebook'
    return f'{stem[:80]}-v{version}.ipynb'


class OpenHandler(OrreryHandler):
    """POST orrery/open {notebookId, version, title?, directory?}: writes a Folium version into the server's files.

    The file gets `metadata.orrery = {notebookId, version, title}` so a later upload makes a new version; an
    existing file is never overwritten (the name gets a number).
    """

    @web.authenticated
    async def post(self) -> None:
        await self.answer(self.open, 201)

    async def open(self) -> Any:
        body = self.body()
        notebook_id, version = body.get('notebookId'), body.get('version')
        if not isinstance(notebook_id, str) or not re.fullmatch(NOTEBOOK_ID, notebook_id):
            raise OrreryError(400, 'bad-request', 'notebookId must be a Folium notebook id (nb-…).')
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise OrreryError(400, 'bad-request', 'version must be a version number (1, 2, …).')
        found = await self.lab('GET', f'/notebooks/{notebook_id}/versions/{version}')
        data = await self.blocking(self.api.download, (found or {}).get('download'))
        try:
            notebook = nbformat.reads(data.decode('utf-8'), as_version=4)
        except Exception:  # nbformat raises several kinds for a file that is not a notebook
            raise OrreryError(502, 'bad-notebook', 'The stored version is not a notebook Jupyter can read.') from None
        title = body.get('title') if isinstance(body.get('title'), str) and body['title'].strip() else notebook_id
        notebook.metadata['orrery'] = {'notebookId': notebook_id, 'version': version, 'title': title}
        directory = body.get('directory') if isinstance(body.get('directory'), str) else ''
        path = await self.free_path(directory.strip('/'), file_name(title, version))
        model = {'type': 'notebook', 'format': 'json', 'content': notebook}
        await ensure_async(self.contents_manager.save(model, path))
        return {'path': path, 'notebookId': notebook_id, 'version': version, 'title': title}

    async def free_path(self, directory: str, name: str) -> str:
        stem, suffix = posixpath.splitext(name)
        for n in range(1, 1000):
            candidate = posixpath.join(directory, name if n == 1 else f'{stem}-{n}{suffix}')
            if not await ensure_async(self.contents_manager.file_exists(candidate)):
                return candidate
        raise OrreryError(409, 'exists', f'Too many copies of {name} in this folder: rename or remove some.')


def setup_handlers(server_app: Any, settings: Optional[Settings] = None) -> None:
    """Adds the Orrery routes to a jupyter_server ServerApp (orrery_lab's extension calls it at load)."""
    web_app = server_app.web_app
    settings = settings or settings_from_environment()
    web_app.settings['orrery'] = {'settings': settings, 'api': OrreryApi(settings), 'sidecar': Sidecar(settings)}
    base = url_path_join(web_app.settings['base_url'], 'orrery')
    routes = [
        ('config', ConfigHandler),
        ('server', ServerHandler),
        ('(keepalive|shutdown)', ServerActionHandler),
        ('roles', RolesHandler),
        ('role', RoleHandler),
        ('credentials', CredentialsHandler),
        ('credentials/refresh', RefreshHandler),
        ('notebooks', NotebooksHandler),
        (f'notebooks/({NOTEBOOK_ID})/versions', VersionsHandler),
        ('tables', TablesHandler),
        ('upload', UploadHandler),
        ('open', OpenHandler),
    ]
    web_app.add_handlers('.*$', [(url_path_join(base, route), handler) for route, handler in routes])
