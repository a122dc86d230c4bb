#!/usr/bin/env python3
"""Pushes a Jupyter server's activity to Orrery, the way JupyterHub's single-user servers do.

Runs beside Jupyter (a sidecar in the pod; a process of its own in local mode), reads Jupyter's
/api/status and /api/kernels with the server token and posts what it saw to the platform's
POST /servers/<name>/activity with the same token. The platform decides what counts as activity
(a busy kernel does, a kernel stuck in `starting` does not). Standard library only.

A report the platform did not take (429, a 5xx, or no answer: the route throttled or flooded) is
posted again with exponential backoff and full jitter, so a thousand reporters do not retry in step;
the retries of one report end by half the interval, so reports keep their cadence. Any other 4xx is
not retried.

Environment: JUPYTER_URL (Jupyter's base URL, ending in /), ORRERY_ACTIVITY_URL,
ORRERY_SERVER_TOKEN, ORRERY_ACTIVITY_INTERVAL (seconds, default 300),
ORRERY_UNREACHABLE_AFTER (failed reads in a row before Jupyter is reported gone, default 3),
ORRERY_RETRY_BASE_SECONDS (the first retry's longest wait, doubled each time up to a minute; default 2),
ORRERY_RETRY_BUDGET_SECONDS (how long one report may be retried; default half the interval).
"""
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request

JUPYTER_URL = os.environ["JUPYTER_URL"].rstrip("/") + "/"
ACTIVITY_URL = os.environ["ORRERY_ACTIVITY_URL"]
TOKEN = os.environ["ORRERY_SERVER_TOKEN"]
INTERVAL = float(os.environ.get("ORRERY_ACTIVITY_INTERVAL", "300"))
UNREACHABLE_AFTER = int(os.environ.get("ORRERY_UNREACHABLE_AFTER", "3"))
RETRY_BASE = float(os.environ.get("ORRERY_RETRY_BASE_SECONDS", "2"))
RETRY_CAP = 60.0
RETRY_BUDGET = float(os.environ.get("ORRERY_RETRY_BUDGET_SECONDS", str(INTERVAL / 2)))
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


def retry_after_of(err):
    """The seconds a 429 or 503 asks to wait (Retry-After in seconds), or None."""
    value = (err.headers.get("Retry-After") or "").strip() if err.headers else ""
    return float(value) if value.isdigit() else None


def post(report):
    """Posts one report; returns the HTTP status (0 when the platform did not answer) and any Retry-After."""
    body = json.dumps(report).encode()
    request = urllib.request.Request(ACTIVITY_URL, data=body, method="POST", headers={**HEADERS, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, None
    except urllib.error.HTTPError as err:
        return err.code, retry_after_of(err)
    except (urllib.error.URLError, OSError):
        return 0, None


def retryable(status):
    """Throttled, failing or unreachable: the platform may take the same report a little later."""
    return status == 0 or status == 429 or status >= 500


def post_with_retries(report, deadline):
    """Posts one report, retrying until it is taken, refused for good, or the next wait would pass `deadline`.

    Waits are drawn at random up to base * 2^attempt (capped): "full jitter", which spreads reporters that
    failed together. A longer Retry-After is honoured. Returns the last status.
    """
    attempt = 0
    while True:
        status, retry_after = post(report)
        if not retryable(status):
            return status
        wait = random.uniform(0, min(RETRY_CAP, RETRY_BASE * 2 ** attempt))
        if retry_after is not None:
            wait = max(wait, retry_after)
        if time.monotonic() + wait > deadline:
            print(f"the platform answered {status or 'nothing'}; giving this report up after {attempt + 1} tries", file=sys.stderr, flush=True)
            return status
        attempt += 1
        print(f"the platform answered {status or 'nothing'}; try {attempt + 1} in {wait:.1f} s", file=sys.stderr, flush=True)
        time.sleep(wait)


def main():
    answered = False
    failures = 0
    while True:
        started = time.monotonic()
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
            status = post_with_retries(report, started + RETRY_BUDGET)
            if status in (401, 403, 404, 409):
                # Stopped, relaunched or unknown: nothing is left to report for.
                print(f"the platform answered {status}; the reporter stops", file=sys.stderr, flush=True)
                return 0
            if 400 <= status < 500 and status != 429:
                print(f"the platform refused the report with {status}; the next one goes at the usual time", file=sys.stderr, flush=True)
            if not report["jupyterReachable"]:
                return 1
        # Retries come out of the interval, not on top of it, so reports keep their cadence.
        time.sleep(max(0.0, started + INTERVAL - time.monotonic()))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
