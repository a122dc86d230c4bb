"""The lab app: jupyterlab_server's LabServerApp serving the JupyterLab built from npm (lab/build) at ``/lab``.

Debian ships jupyterlab_server 2.16 (the server half of JupyterLab: settings, themes, workspaces, translations)
but no JupyterLab; ``scripts/build-lab.mjs`` builds the frontend from the ``@jupyterlab/*`` npm packages. Two fixes
to jupyterlab_server 2.16 live here: every request gets its own copy of the page config (its 404 handler writes
``notFoundUrl`` into a dict all requests share, so one 404 under /lab made every later load show "Path Not Found"),
and while the build is missing /lab answers a page that says so (and reloads itself) instead of a blank page.
"""

import copy
import json
import os

from jupyter_core.paths import jupyter_config_dir
from jupyterlab_server import LabServerApp
from jupyterlab_server.handlers import LabHandler, NotFoundHandler
from tornado import web
from traitlets import default

from .stand_ins import unavailable_page

HERE = os.path.dirname(os.path.abspath(__file__))
# In a checkout (local servers put lab/ on PYTHONPATH) the build sits beside the package.
CHECKOUT_BUILD = os.path.join(os.path.dirname(HERE), "build")
# Seconds between reloads of the "being built" page.
RELOAD_SECONDS = 10


def build_dir():
    """Where the built JupyterLab is: ORRERY_LAB_STATIC_DIR, else lab/build beside this package."""
    return os.path.abspath(os.environ.get("ORRERY_LAB_STATIC_DIR") or CHECKOUT_BUILD)


def build_state(build):
    """``ready`` when the build has its bundle, ``building`` while scripts/build-lab.mjs holds its lock, else
    ``failed`` (its last run left a failure note) or ``missing``; with the failure note's text."""
    if os.path.isfile(os.path.join(build, "bundle.js")):
        return "ready", ""
    lab = os.path.dirname(build)
    if os.path.isdir(os.path.join(lab, ".build-lock")):
        return "building", ""
    try:
        with open(os.path.join(lab, ".build-failed"), encoding="utf-8") as note:
            return "failed", note.read().strip()
    except OSError:
        return "missing", ""


def _build_version(build):
    try:
        with open(os.path.join(build, "orrery-lab.json"), encoding="utf-8") as manifest:
            return str(json.load(manifest).get("jupyterlab", ""))
    except (OSError, ValueError):
        return ""


def own_page_config(handler, page_config):
    """page_config_hook: hands each request a deep copy, so what one request writes stays its own."""
    return copy.deepcopy(page_config)


class _BuildAware:
    """Serves the built JupyterLab, or (build missing) a page that says why and when to come back."""

    @web.authenticated
    def get(self, *args, **kwargs):
        build = self.extensionapp.static_dir
        state, note = build_state(build)
        if state == "ready":
            return super().get(*args, **kwargs)
        self.set_status(503)
        self.set_header("Retry-After", str(RELOAD_SECONDS))
        log = os.path.join(os.path.dirname(build), "build.log")
        if state == "building":
            page = unavailable_page(
                "JupyterLab is being built",
                [
                    "Orrery builds its JupyterLab from npm the first time it starts (about a minute).",
                    f"This page reloads by itself every {RELOAD_SECONDS} seconds and opens JupyterLab when it is ready.",
                    f"Progress: {log}",
                ],
                refresh_seconds=RELOAD_SECONDS,
            )
        else:
            page = unavailable_page(
                "JupyterLab is not built",
                [
                    f"Orrery serves JupyterLab from {build}, and there is no build there."
                    + (f" The last build failed: {note}" if note else ""),
                    f'Build it with "npm run build:lab" in the Orrery checkout (log: {log}), then reload this page.',
                    "The server itself runs: its kernels and REST API (/api) work.",
                ],
                # A build npm start is about to begin takes its lock a moment after the server starts: look again.
                refresh_seconds=None if state == "failed" else RELOAD_SECONDS * 3,
            )
        self.finish(page)


class OrreryLabHandler(_BuildAware, LabHandler):
    """/lab, /lab/tree/..., /lab/workspaces/... (jupyterlab_server's LabHandler, build-aware)."""


class OrreryNotFoundHandler(_BuildAware, NotFoundHandler):
    """Any other /lab/... address: JupyterLab's page with its "Path Not Found" dialog (build-aware)."""


class OrreryLabApp(LabServerApp):
    """JupyterLab (lab/build) at /lab on Debian's jupyter_server 1.23 and jupyterlab_server 2.16."""

    # Not "orrery_lab": that is the handlers' extension point of the same package, and points are keyed by name.
    name = "orrery_lab_app"
    extension_url = "/lab"
    default_url = "/lab"
    app_name = "JupyterLab"
    load_other_extensions = True

    @default("static_dir")
    def _default_static_dir(self):
        return build_dir()

    @default("schemas_dir")
    def _default_schemas_dir(self):
        return os.path.join(self.static_dir, "schemas")

    @default("themes_dir")
    def _default_themes_dir(self):
        return os.path.join(self.static_dir, "themes")

    @default("app_settings_dir")
    def _default_app_settings_dir(self):
        return os.path.join(self.static_dir, "settings")

    @default("templates_dir")
    def _default_templates_dir(self):
        return os.path.join(HERE, "templates")

    # Local servers pass their own folder (--OrreryLabApp.user_settings_dir=...); these are JupyterLab's defaults.
    @default("user_settings_dir")
    def _default_user_settings_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "user-settings")

    @default("workspaces_dir")
    def _default_workspaces_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "workspaces")

    # The bundle shares no modules at run time, so prebuilt (federated) extensions found on disk cannot load.
    @default("labextensions_path")
    def _default_labextensions_path(self):
        return []

    @default("app_version")
    def _default_app_version(self):
        return _build_version(self.static_dir)

    def initialize_settings(self):
        super().initialize_settings()
        earlier = self.settings.get("page_config_hook")
        if earlier:
            self.settings["page_config_hook"] = lambda handler, config: own_page_config(
                handler, earlier(handler, config)
            )
        else:
            self.settings["page_config_hook"] = own_page_config

    def initialize_handlers(self):
        super().initialize_handlers()
        swap = {LabHandler: OrreryLabHandler, NotFoundHandler: OrreryNotFoundHandler}
        self.handlers = [(route[0], swap.get(route[1], route[1]), *route[2:]) for route in self.handlers]
