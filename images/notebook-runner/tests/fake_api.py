"""A stand-in for Orrery's API on 127.0.0.1: records each request and answers from a list the test sets."""

from __future__ import annotations

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, List, Tuple


def iso(epoch: float) -> str:
    """An ISO-8601 UTC time as the API writes it (JavaScript's toISOString: milliseconds and Z)."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + f'{moment.microsecond // 1000:03d}Z'


def issued(name: str, expires_at: float) -> dict:
    """An IssuedCredentials answer whose keys are named after `name`."""
    return {'accessKeyId': f'AKIA{name}', 'secretAccessKey': f'secret-{name}', 'sessionToken': f'session-{name}',
            'expiration': iso(expires_at), 'role': 'analyst', 'account': 'data-dev', 'sourceIdentity': 'ada'}


class FakeApi:
    """Answers POSTs with the next of `answers` ((status, JSON body) pairs; the last one repeats)."""

    def __init__(self, *answers: Tuple[int, Any]) -> None:
        self.answers: List[Tuple[int, Any]] = list(answers)
        self.requests: List[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get('Content-Length') or 0)
                api.requests.append({'method': 'POST', 'path': self.path, 'headers': dict(self.headers),
                                     'body': self.rfile.read(length)})
                status, body = api.answers.pop(0) if len(api.answers) > 1 else api.answers[0]
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.http.server_address[1]}'
        threading.Thread(target=self.http.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
