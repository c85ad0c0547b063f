"""A loopback HTTP server for the link checker: /ok, /missing, /redirect?to=…, /loop, /slow.

A context manager, so tests/programs (fixture `loopback_site`) and the browser test in
tests/browser can both start one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class LoopbackSite:
    url: str
    port: int
    requests: list[str] = field(default_factory=list)


@contextmanager
def loopback_site_serve() -> Iterator[LoopbackSite]:
    site = LoopbackSite(url="", port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: bool) -> None:
            site.requests.append(f"{self.command} {self.path}")
            parts = urlsplit(self.path)
            if parts.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", parse_qs(parts.query)["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if parts.path == "/loop":
                self.send_response(301)
                self.send_header("Location", "/loop")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if parts.path == "/slow":
                time.sleep(1.5)
            status = (
                200 if parts.path in ("/ok", "/slow") or parts.path.startswith("/guide/ok") else 404
            )
            payload = b"hola" if status == 200 else b"no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if body:
                self.wfile.write(payload)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    site.url = f"http://127.0.0.1:{site.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
