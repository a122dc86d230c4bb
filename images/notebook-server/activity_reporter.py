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
import datetime
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


def epoch(text):
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class Observer:
    """Reads Jupyter without counting its own reads as the user's activity.

    Jupyter stamps `last_activity` on every API request, /api/kernels included (not /api/status).
    So status is read first, then kernels; a `last_activity` inside the window of the previous
    kernels read is the reporter's own and is left out. A user's request after that read shows up
    at the next status read, before the reporter touches the API again.
    """

    def __init__(self):
        self.own_window = None

    def observe(self):
        """What Jupyter says now; raises when it does not answer."""
        status = read_jupyter("api/status")
        started = time.time()
        kernels = read_jupyter("api/kernels")
        last = status.get("last_activity")
        stamp = epoch(last) if last else None
        if stamp is not None and self.own_window and self.own_window[0] - 0.25 <= stamp <= self.own_window[1] + 0.25:
            last = None
        self.own_window = (started, time.time())
        return report_of(last, kernels)


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
    observer = Observer()
    answered = False
    failures = 0
    while True:
        try:
            report = observer.observe()
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
