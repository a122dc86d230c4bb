"""`create_spark_session`: a Spark session the platform sized, with its links and estimated cost.

    from orrery.spark import create_spark_session
    spark = create_spark_session(app_name='daily-report', conf={'spark.executor.cores': '8'})

Steps: ask Orrery for a session (`POST /servers/{name}/lab/spark/sessions`, with the server's token); write the
executor pod template it answers (EKS only) to a private file and point Spark at it; build the SparkSession from the
returned conf alone; show the links, the cost and the warnings. `spark.stop()` and the kernel's exit end the session
in Orrery (`DELETE`), once. Without pyspark, or with `dry_run=True`, it is a dry run (`POST …/lab/spark/preview`,
which starts and records nothing): see `SparkSessionInfo`.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import sys
import threading
import urllib.parse
from typing import Any, Dict, Mapping, Optional

from . import _display
from ._api import OrreryError, ServerApi

__all__ = ['OrreryError', 'SparkSessionInfo', 'create_spark_session']

POD_TEMPLATE_KEY = 'spark.kubernetes.executor.podTemplateFile'
NO_PYSPARK = (
    'pyspark is not installed in this kernel ({python}: {reason}). This was a dry run: Orrery previewed the session '
    'shown below; nothing started and nothing was recorded. To get a SparkSession, use a server of a pyspark profile '
    '(its image has Spark), or install it into this kernel with `%pip install pyspark` (and Java), restart the '
    'kernel and call create_spark_session again.'
)


class SparkSessionInfo:
    """What Orrery derived for a session: its conf, links, cost and warnings (the API's view, in `view`).

    A real session carries it as `spark.orrery`. A dry run returns it (`dry_run` is True) from a preview: no id, no
    links, and the conf is the sizing only (the placement a real session adds is not part of a preview).
    """

    def __init__(self, view: Mapping[str, Any], dry_run: bool) -> None:
        self.view: Dict[str, Any] = dict(view)
        self.dry_run = dry_run
        self.id: str = str(view.get('id', ''))
        self.app_name: str = str(view.get('appName', ''))
        self.conf: Dict[str, str] = dict(view.get('conf') or {})
        self.links: Dict[str, str] = dict(view.get('links') or {})
        self.cost: Dict[str, Any] = dict(view.get('cost') or {})
        self.warnings = list(view.get('warnings') or [])
        self.blocked = list(view.get('blocked') or [])

    def to_dict(self) -> Dict[str, Any]:
        """The API's view with `dryRun`, for JSON."""
        return {**self.view, 'dryRun': self.dry_run}

    def __repr__(self) -> str:
        return _display.as_text(self.view, self.dry_run)

    def _repr_html_(self) -> str:
        return _display.as_html(self.view, self.dry_run)


def _as_conf(conf: Optional[Mapping[str, Any]]) -> Dict[str, str]:
    """The user's options as the API takes them (strings; Python booleans as Spark writes them)."""
    out: Dict[str, str] = {}
    for key, value in (conf or {}).items():
        if not isinstance(key, str):
            raise TypeError(f'conf keys are Spark option names (strings), not {key!r}')
        out[key] = ('true' if value else 'false') if isinstance(value, bool) else str(value)
    return out


def _spark_session_class():
    """pyspark's SparkSession, or the reason it cannot be imported."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        return None, str(exc)
    return SparkSession, ''


def _show(info: SparkSessionInfo) -> None:
    """Rich display in Jupyter (HTML with a text fallback), plain text elsewhere."""
    ipython = sys.modules.get('IPython')
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, 'get_ipython') else None
    if shell is not None and getattr(shell, 'kernel', None) is not None:
        from IPython.display import display

        display(info)
    else:
        print(repr(info))


def _write_pod_template(session_id: str, template: Mapping[str, Any]) -> str:
    """Writes the executor pod template to ~/.orrery/spark/ (only this user may read it); returns its path."""
    folder = os.path.join(os.path.expanduser('~'), '.orrery', 'spark')
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, f'{re.sub(r"[^A-Za-z0-9-]", "-", session_id)}-executor-pod-template.json')
    # JSON is YAML, which is what Spark reads; 0600 from the first byte (the template names service accounts).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
        json.dump(template, handle, indent=2)
    os.chmod(path, 0o600)
    return path


class _Ending:
    """Ends one session in Orrery: at most one successful DELETE, from spark.stop() or the kernel's exit."""

    def __init__(self, api: ServerApi, session_id: str, files: tuple = ()) -> None:
        self.api, self.session_id, self.files = api, session_id, files
        self.done = False
        self.lock = threading.Lock()
        atexit.register(self.at_exit)

    def __call__(self) -> None:
        with self.lock:
            if self.done:
                return
            try:
                self.api.call('DELETE', f'/spark/sessions/{urllib.parse.quote(self.session_id, safe="")}')
            except OrreryError as exc:
                if exc.status != 404:  # 404: Orrery ended it already (the server's stop or the culler).
                    raise
            self.done = True
            atexit.unregister(self.at_exit)
            for path in self.files:
                try:
                    os.remove(path)
                except OSError:
                    pass

    def at_exit(self) -> None:
        try:
            self()
        except Exception as exc:  # noqa: BLE001 — at exit there is no one to raise to.
            print(f'orrery: could not end Spark session {self.session_id}: {exc}', file=sys.stderr)


# This kernel's session from the helper: Spark allows one SparkContext per process, so a new call ends it first.
_current: Dict[str, Any] = {}


def _stop_previous() -> None:
    spark, ending = _current.get('spark'), _current.get('ending')
    if spark is not None and ending is not None and not ending.done:
        print(f'orrery: stopping this kernel’s earlier Spark session {ending.session_id} first '
              '(one SparkSession per kernel).')
        spark.stop()
    _current.clear()


def _check_no_other_spark() -> None:
    """Refuses when the kernel runs a SparkContext the helper did not make: getOrCreate() would return it unchanged,
    with its own conf and none of Orrery's (placement, sizing, keys), and Spark allows one per kernel."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return
    if getattr(SparkContext, '_active_spark_context', None) is not None:
        raise OrreryError('this kernel already runs a SparkSession that create_spark_session did not make, and Spark '
                          'allows one per kernel: stop your existing SparkSession first (spark.stop()), then call '
                          'create_spark_session again.', code='spark-running')


def _build(spark_session_class: Any, app_name: str, conf: Mapping[str, str]) -> Any:
    builder = spark_session_class.builder
    # pyspark keeps builder options in a class-level dict: a previous call's options would leak into this session.
    if isinstance(getattr(builder, '_options', None), dict):
        builder._options.clear()
    builder = builder.appName(app_name)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _wrap_stop(spark: Any, ending: _Ending) -> None:
    stop_spark = spark.stop

    @functools.wraps(stop_spark)
    def stop(*args: Any, **kwargs: Any) -> Any:
        try:
            return stop_spark(*args, **kwargs)
        finally:
            ending()

    spark.stop = stop


def create_spark_session(app_name: Optional[str] = None, pool: Optional[str] = None,
                         conf: Optional[Mapping[str, Any]] = None, role: Optional[str] = None,
                         dry_run: Optional[bool] = None) -> Any:
    """A SparkSession sized by Orrery, or with `dry_run` (the default when pyspark is missing) a SparkSessionInfo.

    `conf` holds Spark options; the blocked ones are dropped with a warning. `role` picks the AWS role executors
    get (default: the server's). Raises OrreryError with the API's message when Orrery refuses.
    """
    body: Dict[str, Any] = {'conf': _as_conf(conf)}
    body.update({k: v for k, v in (('appName', app_name), ('pool', pool), ('role', role)) if v is not None})
    spark_session_class, reason = (None, 'dry run asked') if dry_run else _spark_session_class()
    if spark_session_class is None and dry_run is False:
        raise OrreryError(f'pyspark cannot be imported in this kernel ({reason}): install it, or call '
                          'create_spark_session with dry_run=True to see the derived configuration.',
                          code='no-pyspark')
    api = ServerApi()
    if spark_session_class is None:
        return _dry_run(api, body, missing=None if dry_run else reason)
    _stop_previous()
    # Before asking Orrery, so a refusal leaves no session to delete (nor a high-cost notice for one never used).
    _check_no_other_spark()
    view = api.call('POST', '/spark/sessions', body)
    info = SparkSessionInfo(view, dry_run=False)
    spark_conf = dict(info.conf)
    files: tuple = ()
    if isinstance(view.get('podTemplate'), dict):
        files = (_write_pod_template(info.id, view['podTemplate']),)
        spark_conf[POD_TEMPLATE_KEY] = files[0]
    ending = _Ending(api, info.id, files)
    try:
        if spark_conf.get('spark.master', '').startswith('local') and 'PYSPARK_PYTHON' not in os.environ:
            # Local Python workers would otherwise start the first python3 on PATH, which may lack this kernel's
            # packages (Debian's Jupyter is /usr/bin/python3, not always the first).
            os.environ['PYSPARK_PYTHON'] = sys.executable
        spark = _build(spark_session_class, info.app_name or 'orrery-session', spark_conf)
    except BaseException:
        ending.at_exit()  # No Spark: the record would only count cost until the culler found it.
        raise
    _wrap_stop(spark, ending)
    try:
        spark.orrery = info
    except AttributeError:
        pass
    _current.update(spark=spark, ending=ending)
    _show(info)
    return spark


def _dry_run(api: ServerApi, body: Mapping[str, Any], missing: Optional[str]) -> SparkSessionInfo:
    """Asks Orrery for a preview of the session (`POST /servers/{name}/lab/spark/preview`); shows and returns it.

    A preview starts nothing and records nothing (no session in the server's list, no high-cost notice). It is the
    sizing only: the placement a real session adds (on EKS the master, image, driver Service and ports, labels and
    the executor pod template; locally local[N], the driver memory and the UI port) and the links are not in it.
    """
    view = api.call('POST', '/spark/preview', body)
    info = SparkSessionInfo(view, dry_run=True)
    if missing is not None:
        print(NO_PYSPARK.format(python=sys.executable, reason=missing))
    _show(info)
    return info
