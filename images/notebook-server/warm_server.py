#!/usr/bin/env python3
"""A local Jupyter server started ahead of its launch: `python3 warm_server.py`. Local mode only (not in the image).

Most of a `jupyter server` start is importing it (about 0.35 s of CPU of 0.4 s on Debian 12), so local mode keeps a
few of these ready: each imports jupyter_server and the orrery_lab extension, prints `{"ready": true}` and waits for
exactly one job on stdin, one JSON line:

    {"args": [...the `jupyter server` arguments...], "environment": {...}, "cwd": "..."}

It then becomes that server: the environment replaced by the job's (kernels inherit it, so they get the same
variables a cold start gives them), the working folder changed, and `jupyter_server`'s own entry point run with the
arguments. It serves one launch and exits with the server, so nothing passes between users. Exits 4 without a job
(stdin closed: the platform stopped or no longer needs it).
"""

import importlib
import json
import os
import sys

# Run from the checkout: write no __pycache__ beside it.
sys.dont_write_bytecode = True

EXIT_NO_JOB = 4
# What a start imports: the server first, then what its initialize() would import on the way (its handlers,
# pkg_resources and setuptools, which extensions pull in, and what Debian's nbclassic loads), then Orrery's extension
# where lab/ is on the path. A module that is not here costs nothing; one that is missed is imported at the start.
PRELOAD = ('jupyter_server.serverapp', 'jupyter_server.kernelspecs.handlers', 'jupyter_server.nbconvert.handlers',
           'jupyter_server.services.api.handlers', 'jupyter_server.services.kernelspecs.handlers',
           'jupyter_server.services.nbconvert.handlers', 'jupyter_server.services.shutdown',
           'jupyter_server.view.handlers', 'pkg_resources', 'setuptools', 'notebook.base.handlers',
           'notebook.files.handlers', 'orrery_lab', 'orrery_lab.app', 'orrery_lab.stand_ins',
           'orrery_lab.handlers')


def enabled_extensions() -> list:
    """The server extensions Jupyter's configuration enables on this machine (nbclassic, say)."""
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager

    manager = ExtensionConfigManager(read_config_path=jupyter_config_path())
    return [name for name, enabled in manager.get_jpserver_extensions().items() if enabled]


def preload() -> None:
    """Imports what a start would; a module that cannot be imported is left to the start to report."""
    importlib.import_module(PRELOAD[0])
    names = list(PRELOAD[1:])
    try:
        names += enabled_extensions()
    except Exception:  # noqa: BLE001 - a configuration the start will read (and report) again
        pass
    for name in names:
        try:
            module = importlib.import_module(name)
            for point in getattr(module, '_jupyter_server_extension_points', lambda: [])():
                importlib.import_module(point['module'])
        except Exception:  # noqa: BLE001 - the start imports it again and says what is wrong
            pass


def read_job(line: str) -> dict:
    """The job line, checked: `args` a list of strings, `environment` a map of strings, `cwd` a folder."""
    job = json.loads(line)
    if not isinstance(job, dict):
        raise ValueError('the job must be a JSON object')
    args, environment, cwd = job.get('args'), job.get('environment'), job.get('cwd')
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ValueError('args must be a list of strings')
    if not isinstance(environment, dict) or not all(isinstance(v, str) for v in environment.values()):
        raise ValueError('environment must map names to strings')
    if not isinstance(cwd, str) or not os.path.isdir(cwd):
        raise ValueError(f'cwd is not a folder: {cwd!r}')
    return job


def become(job: dict) -> int:
    """Turns this process into the job's `jupyter server` (as `python3 -m jupyter_server <args>` in `cwd` would)."""
    os.environ.clear()
    os.environ.update(job['environment'])
    os.chdir(job['cwd'])
    sys.path[0] = job['cwd']  # what `-m` puts first
    sys.argv = ['jupyter-server', *job['args']]
    from jupyter_server.serverapp import main as serve

    return serve() or 0


def main() -> int:
    preload()
    print(json.dumps({'ready': True}), flush=True)
    line = sys.stdin.readline()
    if not line.strip():
        return EXIT_NO_JOB
    try:
        job = read_job(line)
    except ValueError as err:
        print(f'[orrery-warm-server] refused the job: {err}', file=sys.stderr, flush=True)
        return 2
    print(json.dumps({'accepted': True}), flush=True)
    # From here on stdout is the server's, and its kernels': /dev/null, as a cold start's is, so a notebook's output
    # never streams into the platform's pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return become(job)


if __name__ == '__main__':
    sys.exit(main())
