"""A stand-in for Orrery's API, storage and the credentials sidecar on 127.0.0.1, for the handlers' tests.

Answers (method, path) from `routes` ((status, JSON body) or a function of the request), records every request.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple, Union

Answer = Union[Tuple[int, Any], Callable[[dict], Tuple[int, Any]]]


class FakeOrrery:
    """One server for everything the Jupyter server calls; `url` is its base."""

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], Answer] = {}
        self.requests: List[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def handle_any(self) -> None:
                length = int(self.headers.get('Content-Length') or 0)
                raw = self.rfile.read(length) if length else b''
                path, _, query = self.path.partition('?')
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = {'method': self.command, 'path': path, 'query': query, 'headers': headers,
                           'body': json.loads(raw) if raw.strip() else None}
                fake.requests.append(request)
                answer = fake.routes.get((self.command, path), (404, {'error': 'not-found', 'message': 'no route'}))
                status, body = answer(request) if callable(answer) else answer
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any  # noqa: N815

            def log_message(self, *_args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.http.server_address[1]}'
        threading.Thread(target=self.http.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()

    def reset(self) -> None:
        """Forgets the routes and the requests (between tests)."""
        self.routes.clear()
        self.requests.clear()

    def made(self, method: str, path: str) -> List[dict]:
        """The requests made to one route."""
        return [r for r in self.requests if (r['method'], r['path']) == (method, path)]

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
