"""A stand-in for Orrery's Spark routes on 127.0.0.1: records each request; each route answers what the test set."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple


def session_view(**changes: Any) -> Dict[str, Any]:
    """A SparkSessionView as the local platform answers it (spark.master local), with `changes` on top."""
    view = {
        'id': 'k3x9q2', 'server': 'lab', 'owner': 'ada', 'team': 'ads', 'appName': 'report', 'appId': 'spark-k3x9q2',
        'pool': 'batch', 'status': 'ACTIVE',
        'conf': {'spark.app.name': 'report', 'spark.master': 'local[4]', 'spark.driver.memory': '4g',
                 'spark.ui.port': '4051', 'spark.executor.cores': '4', 'spark.executor.memory': '28g',
                 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '2'},
        'warnings': [], 'blocked': [],
        'links': {'ui': 'http://127.0.0.1:4051/', 'history': '', 'monitoring': ''},
        'cost': {'hourlyUsd': 0, 'maxHourlyUsd': 0.33, 'dailyMaxUsd': 7.87, 'highCost': False},
        'executor': {'cores': 4, 'memoryGb': 28}, 'dynamicAllocation': True, 'maxExecutors': 2,
        'initialExecutors': 0, 'createdAt': '2026-01-05T09:00:00.000Z',
    }
    view.update(changes)
    return view


def preview_view(**changes: Any) -> Dict[str, Any]:
    """POST /spark/preview's answer for the same request: the sizing only (no id, links or placement conf)."""
    view = {
        'appName': 'report', 'pool': 'batch', 'image': 'quay.io/jupyter/pyspark-notebook:2025-06-30',
        'conf': {'spark.app.name': 'report', 'spark.executor.cores': '4', 'spark.executor.memory': '28g',
                 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '2'},
        'warnings': [], 'blocked': [], 'executor': {'cores': 4, 'memoryGb': 28}, 'dynamicAllocation': True,
        'minExecutors': 0, 'maxExecutors': 2, 'initialExecutors': 0,
        'cost': {'hourlyUsd': 0, 'maxHourlyUsd': 0.33, 'dailyMaxUsd': 7.87, 'highCost': False},
    }
    view.update(changes)
    return view


class FakeApi:
    """POST answers `create` ((status, body)), or `preview` on …/spark/preview; DELETE answers `delete` ((status,
    body)) with the session stopped."""

    def __init__(self) -> None:
        self.create: Tuple[int, Any] = (201, session_view())
        self.preview: Tuple[int, Any] = (200, preview_view())
        self.delete: Optional[Tuple[int, Any]] = None
        self.requests: List[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def record(self) -> None:
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length)
                api.requests.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                     'body': json.loads(body) if body else None})

            def do_POST(self) -> None:  # noqa: N802
                self.record()
                self.answer(*(api.preview if self.path.endswith('/spark/preview') else api.create))

            def do_DELETE(self) -> None:  # noqa: N802
                self.record()
                self.answer(*(api.delete or (200, {**api.create[1], 'status': 'STOPPED', 'stopReason': 'owner'})))

            def log_message(self, *_args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.http.server_address[1]}'
        threading.Thread(target=self.http.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True).start()

    def calls(self) -> List[Tuple[str, str]]:
        """(method, path) of each request, in order."""
        return [(r['method'], r['path']) for r in self.requests]

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
