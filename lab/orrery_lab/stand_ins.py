"""What a JupyterLab 4 page needs from its server and Debian's jupyter_server 1.23 lacks, in the lab-app mode.

* ``GET /api/me``: the identity and permissions (jupyter_server 2's identity API); without it the frontend logs a
  404 and retries.
* ``/api/events/subscribe`` (a websocket) and ``POST /api/events``: jupyter_server 2's event bus. The socket stays
  open and sends nothing (this server emits no events); a closed or refused socket makes the frontend reconnect in
  a loop, logging each failure.
* ``/tree/...`` → ``/lab/tree/...``: the address the classic UI and older links use.
* When the lab app itself could not load (no jupyterlab_server), a page at ``/lab`` that says why, instead of a 404.
"""

import getpass
import html
import json

from jupyter_server import version_info as server_version
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web, websocket

try:  # jupyter_server 2 moved it (and warns on the old name)
    from jupyter_server.base.websocket import WebSocketMixin
except ImportError:  # jupyter_server 1.x, Debian's
    from jupyter_server.base.zmqhandlers import WebSocketMixin


class IdentityHandler(APIHandler):
    """``GET /api/me``: this server's one user (whoever holds its token) with every permission it asks about."""

    @web.authenticated
    def get(self):
        try:
            asked = json.loads(self.get_argument("permissions", "{}"))
        except ValueError:
            raise web.HTTPError(400, "permissions is not JSON") from None
        if not isinstance(asked, dict):
            raise web.HTTPError(400, "permissions must be an object of resource: [actions]")
        name = getpass.getuser()
        identity = {
            "username": name,
            "name": name,
            "display_name": name,
            "initials": name[:1].upper(),
            "avatar_url": None,
            "color": None,
        }
        # The token holder owns the server: every action on every resource is theirs.
        self.finish(json.dumps({"identity": identity, "permissions": asked}))


class EventsHandler(APIHandler):
    """``POST /api/events``: accepted and dropped (no one here listens)."""

    @web.authenticated
    def post(self):
        self.set_status(204)
        self.finish()


class EventsSubscribeHandler(WebSocketMixin, JupyterHandler, websocket.WebSocketHandler):
    """``/api/events/subscribe``: a socket that stays open (with the usual pings) and never carries an event."""

    def set_default_headers(self):
        # JupyterHandler's headers (CSP and so on) belong to pages, not to a websocket handshake.
        pass

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403)
        await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class TreeRedirectHandler(JupyterHandler):
    """``/tree[/path]`` → ``/lab/tree[/path]``, keeping the query (a ``?token=``)."""

    @web.authenticated
    def get(self, path=None):
        path = (path or "").strip("/")
        target = url_path_join(self.base_url, "lab", "tree", path) if path else url_path_join(self.base_url, "lab")
        query = self.request.query
        self.redirect(f"{target}?{query}" if query else target)


def unavailable_page(title, paragraphs, refresh_seconds=None):
    """A plain HTML page for when JupyterLab cannot be served yet; paragraphs are text (escaped here)."""
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">' if refresh_seconds else ""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}
<title>{html.escape(title)}</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; margin: 4rem auto; max-width: 42rem; padding: 0 1rem; color: #222; }}
  h1 {{ font-size: 1.4rem; }}
  code {{ background: #f2f2f2; padding: 0 .25rem; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


class LabUnavailableHandler(JupyterHandler):
    """``/lab...`` when the lab app could not load: says why, with a 503 (the server and its APIs work)."""

    def initialize(self, reason):
        self.reason = reason

    @web.authenticated
    def get(self, *args):
        self.set_status(503)
        self.finish(
            unavailable_page(
                "JupyterLab cannot be served here",
                [
                    f"This Jupyter server runs, but it cannot serve JupyterLab: {self.reason}.",
                    "Its kernels and REST API (/api) work. Ask the person who runs Orrery to fix this, then relaunch.",
                ],
            )
        )


def setup_stand_ins(server_app, lab_app_error=None):
    """Adds the stand-ins above to the server (only what its jupyter_server lacks)."""
    web_app = server_app.web_app
    base = web_app.settings["base_url"]
    routes = [(r"/tree(/.*)?", TreeRedirectHandler)]
    if server_version < (2,):
        routes += [
            (r"/api/me", IdentityHandler),
            (r"/api/events", EventsHandler),
            (r"/api/events/subscribe", EventsSubscribeHandler),
        ]
    if lab_app_error:
        server_app.log.error("orrery_lab: cannot serve JupyterLab: %s", lab_app_error)
        routes.append((r"/lab(/.*)?", LabUnavailableHandler, {"reason": lab_app_error}))
    web_app.add_handlers(".*$", [(url_path_join(base, pattern), *rest) for pattern, *rest in routes])
