"""Orrery's notebook runner: executes one notebook, cell by cell, in a Jupyter kernel (see ../README.md).

One module per seam, so each can be read and tested alone:

- `main`: the entry point, from the command line to the result line and the exit code;
- `cli`: the command line and the environment it reads;
- `outcome`: how a run ends (statuses, exit codes, the result line) and the errors that end it early;
- `jupyter`: nbformat, nbclient and jupyter_client, imported when the run needs them, and the kernel to use;
- `notebook_io`: reading and writing notebooks at paths and http(s) URLs;
- `saver`: the periodic and final saves of the output while the run goes on;
- `metadata`: the papermill-compatible metadata of the notebook and its cells;
- `execution`: executing the cells and deciding how the run ended;
- `kernel`: the kernel's life (start, interrupt, shutdown, kill);
- `stopping`: ending a run early for SIGTERM/SIGINT or the run timeout (the watchdog);
- `warm`: warm mode, a runner whose kernel starts before its one job, which it reads from stdin;
- `output_limits`: the caps on what outputs may hold;
- `container_credentials`: the container-credentials server that gives a notebook AWS keys on 127.0.0.1;
- `credential_cache`: the keys it serves, and when it fetches new ones;
- `credentials_api`: its fetch from Orrery's API, and `start_for_run()`, which serves a run's keys to its kernel;
- `credentials_sidecar`: the same server as a program of its own, beside a notebook server;
- `run_credentials`: a run's role: the runner's settings for it, and serving its keys to the kernel.

Importing the package imports only the standard library: Jupyter is imported by `jupyter.import_jupyter()`,
so that an interpreter without it still gets the JSON result line and an install hint.
"""
