#!/usr/bin/env python3
"""Pushes a Jupyter server's activity to Orrery, the way JupyterHub's single-user servers do.

Runs beside Jupyter (a sidecar in the pod; a process of its own in local mode), reads Jupyter's
/api/status and /api/kernels with the server token and posts what it saw to the platform's
POST /servers/<name>/activity with the same token. The platform decides what counts as activity
(a busy kernel does, a kernel stuck in `starting` does not). Standard library only.

Environment: JUPYTER_URL (Jupyter's base URL, ending in /), ORRERY_ACTIVITY_URL,
ORRERY_SERVER_TOKEN, ORRERY_ACTIVITY_INTERVAL (seconds, default 300),
ORRERY_UNREACHABLE_AFTER (failed reads in a row before Jupyter is reported gone, default 3).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

JUPYTER_URL = os.environ["JUPYTER_URL"].rstrip("/") + "/"
ACTIVITY_URL = os.environ["ORRERY_ACTIVITY_URL"]
TOKEN = os.environ["ORRERY_SERVER_TOKEN"]
INTERVAL = float(os.environ.get("ORRERY_ACTIVITY_INTERVAL", "300"))
UNREACHABLE_AFTER = int(os.environ.get("ORRERY_UNREACHABLE_AFTER", "3"))
HEADERS = {"Authorization": f"token {TOKEN}", "User-Agent": "orrery-activity-reporter/1"}


def read_jupyter(path):
    request = urllib.request.Request(JUPYTER_URL + path, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def observe():
    """What Jupyter says now; raises when it does not answer.

    Jupyter stamps `last_activity` on every API request; `no_track_activity` (what
    jupyterhub-idle-culler sends) keeps the reporter's own reads from counting as the user's.
    """
    status = read_jupyter("api/status?no_track_activity=1")
    kernels = read_jupyter("api/kernels?no_track_activity=1")
    return report_of(status.get("last_activity"), kernels)


def report_of(last, kernels):
    return {
        "lastActivity": last,
        "kernels": [
            {
                "executionState": str(k.get("execution_state", "unknown"))[:32],
                "lastActivity": k.get("last_activity"),
                "connections": int(k.get("connections", 0) or 0),
            }
            for k in kernels
        ][:500],
        "jupyterReachable": True,
    }


def post(report):
    """Posts one report; returns the HTTP status (0 when the platform did not answer)."""
    body = json.dumps(report).encode()
    request = urllib.request.Request(ACTIVITY_URL, data=body, method="POST", headers={**HEADERS, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except (urllib.error.URLError, OSError):
        return 0


def main():
    answered = False
    failures = 0
    while True:
        try:
            report = observe()
            answered, failures = True, 0
        except (urllib.error.URLError, OSError, ValueError) as err:
            failures += 1
            # Before Jupyter first answers it is still starting; only a server that answered can be gone.
            report = {"kernels": [], "jupyterReachable": False} if answered and failures >= UNREACHABLE_AFTER else None
            if report is None:
                print(f"jupyter not answering yet: {err}", file=sys.stderr, flush=True)
        if report is not None:
            status = post(report)
            if status in (401, 403, 404, 409):
                # Stopped, relaunched or unknown: nothing is left to report for.
                print(f"the platform answered {status}; the reporter stops", file=sys.stderr, flush=True)
                return 0
            if not report["jupyterReachable"]:
                return 1
        time.sleep(INTERVAL)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
