"""Orrery inside Jupyter: a Jupyter server extension (``jpserver_extensions={"orrery_lab": true}``).

Two modes, chosen when the server loads it:

* **Lab app** (local servers, and any server without JupyterLab's own Python package): serves the JupyterLab that
  ``scripts/build-lab.mjs`` builds from npm into ``lab/build`` at ``/lab`` (``app.py``), lands ``/`` and ``/tree``
  there, and stands in for the two server APIs JupyterLab 4 calls that Debian's jupyter_server 1.23 lacks. While the
  build is missing it serves a page at ``/lab`` that says so, never a 404.
* **Handlers only** (the notebook-server image, whose pip-installed JupyterLab serves ``/lab`` with the Orrery
  extension installed prebuilt): only the Orrery routes of ``handlers.py``.

``ORRERY_LAB_STATIC_DIR`` (the build folder) forces the lab app; without it, the lab app is used unless the
``jupyterlab`` package is importable.
"""

import importlib.util
import os

__version__ = "0.1.0"

# Why the lab app could not be loaded (jupyterlab_server missing), shown on the stand-in page at /lab.
_lab_app_error = None


def lab_app_wanted():
    """Whether this server should serve the npm-built JupyterLab (see the module's doc)."""
    if os.environ.get("ORRERY_LAB_STATIC_DIR"):
        return True
    return importlib.util.find_spec("jupyterlab") is None


def _jupyter_server_extension_points():
    global _lab_app_error
    points = [{"module": "orrery_lab"}]
    if lab_app_wanted():
        try:
            from .app import OrreryLabApp
        except ImportError as err:  # Debian's python3-jupyterlab-server is not installed.
            _lab_app_error = f"{err} (install python3-jupyterlab-server)"
        else:
            points.append({"module": "orrery_lab.app", "app": OrreryLabApp})
    return points


def _link_jupyter_server_extension(server_app):
    # Before the web app exists: `/` redirects to default_url, keeping ?token=, so a bare server URL opens Lab.
    if lab_app_wanted() and server_app.default_url in ("/", "/tree"):
        server_app.default_url = "/lab"


def _load_jupyter_server_extension(server_app):
    if lab_app_wanted():
        from .stand_ins import setup_stand_ins

        setup_stand_ins(server_app, _lab_app_error)
    try:
        from . import handlers
    except ImportError as err:
        if getattr(err, "name", None) != f"{__name__}.handlers":
            raise
        server_app.log.info("orrery_lab: no Orrery handlers in this build")
    else:
        handlers.setup_handlers(server_app)
