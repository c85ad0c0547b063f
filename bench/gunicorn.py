"""A gunicorn server on a free loopback port for the length of a `with` block."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_serving(*, workers: int, env: Mapping[str, str], port: int = 0) -> Iterator[int]:
    """`config.wsgi` under gunicorn (sync workers) with `env`; yields the port once it takes
    connections, stops the server at the end."""
    port = port or free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers)]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen([*command, "--access-logfile", "/dev/null"], env=dict(env))
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
