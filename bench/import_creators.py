"""Benchmark: import 1,000,000 creators from a realistic CSV into a fresh PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.import_creators [--rows N] [--encoding cp1252] [--plain] [--keep]

Creates (and drops afterwards, unless --keep) its own database, runs the migrations, writes a
synthetic CSV with bench.datagen (by default written as real exports are: columns in another
order plus unknown ones, phones with spaces and +521, accented states, dates with offsets,
tags; `--encoding cp1252` as Excel on Windows saves it; `--plain` Altavoz's own format), then:
- runs `creator_import_csv` in a child process, so the generator's memory is not counted, and
  prints elapsed seconds, rows/s and the child's peak RSS (ru_maxrss);
- with --reimport, imports the same file again (every row an update) and prints that too;
- measures the floor: a bare `COPY` of the same file into an UNLOGGED table of text columns,
  and prints importer time / COPY time.
Exits 1 if the import takes 45 s or more, or its peak RSS reaches 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg

from bench.datagen import EXPORT_HEADER, HEADER, write_creators_csv
from bench.scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, os, resource, sys, time
import django
django.setup()
from creators.importer import creator_import_csv
started, cpu_before = time.perf_counter(), sum(os.times()[:2])
result = creator_import_csv(file=sys.argv[1])
elapsed = time.perf_counter() - started
print(json.dumps({
    "elapsed": elapsed,
    "created": result.created,
    "updated": result.updated,
    "rejected": result.rejected,
    "warnings": result.warnings_total,
    "encoding": result.encoding,
    "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "cpu": sum(os.times()[:2]) - cpu_before,
}))
"""


class BackendCpu:
    """CPU seconds the PostgreSQL backends serving one database used, read from /proc while
    they run (the server is on this machine): with the importer's own CPU time, a figure the
    machine's load does not inflate. Sampled every 0.2 s; a backend's last < 0.2 s is lost."""

    def __init__(self, database: str) -> None:
        self.marker = f" {database} ".encode()
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.marker not in (entry / "cmdline").read_bytes():
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            self._sample()

    def __enter__(self) -> BackendCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def _child_env(url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v0"],
        env=_child_env(url),
        cwd=ROOT,
        check=True,
    )


def import_run(url: str, csv_path: Path) -> dict:
    with BackendCpu(urlparse(url).path.lstrip("/")) as backends:
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, str(csv_path)],
            env=_child_env(url),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    outcome["db_cpu"] = backends.seconds
    return outcome


def copy_baseline(url: str, csv_path: Path, *, header: tuple[str, ...], encoding: str) -> float:
    """Seconds for PostgreSQL to COPY the raw file into an unlogged all-text table."""
    columns = ", ".join(f'"{name}" text' for name in header)
    pg_encoding = {"cp1252": "WIN1252", "utf-8-sig": "UTF8"}.get(encoding, "UTF8")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_import_floor")
        conn.execute(f"CREATE UNLOGGED TABLE bench_import_floor ({columns})")
        started = time.perf_counter()
        with conn.cursor() as cursor, open(csv_path, "rb") as source:
            with cursor.copy(
                "COPY bench_import_floor FROM STDIN "
                f"(FORMAT csv, HEADER true, ENCODING '{pg_encoding}')"
            ) as copy:
                while block := source.read(1 << 20):
                    copy.write(block)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_import_floor")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the creators CSV importer.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="altavoz_bench_import")
    parser.add_argument("--csv", help="reuse this CSV instead of generating one")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--encoding", default="utf-8", help="utf-8 (default), utf-8-sig or cp1252 (Excel)"
    )
    parser.add_argument(
        "--plain", action="store_true", help="Altavoz's own column order and formats"
    )
    parser.add_argument(
        "--reimport", action="store_true", help="import the file a second time (all updates)"
    )
    parser.add_argument(
        "--also-plain",
        action="store_true",
        help="then import a plain file (Altavoz's own format) of as many rows, for comparison",
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores)")

    # Django runs only in the child processes (the migration, the import), not in this one.
    with scratch_database(args.database, keep=args.keep) as url:
        _migrate(url)
        with tempfile.TemporaryDirectory(prefix="altavoz-bench-") as tmp:
            csv_path = Path(args.csv) if args.csv else Path(tmp) / "creators.csv"
            if not args.csv:
                started = time.perf_counter()
                write_creators_csv(
                    path=csv_path, rows=args.rows, realistic=not args.plain, encoding=args.encoding
                )
                print(
                    f"generated {args.rows:,} {'plain' if args.plain else 'realistic'} rows "
                    f"in {args.encoding} ({csv_path.stat().st_size / 1e6:.0f} MB) "
                    f"in {time.perf_counter() - started:.1f} s"
                )
            header = HEADER if args.plain else EXPORT_HEADER
            floor = copy_baseline(url, csv_path, header=header, encoding=args.encoding)
            outcome = import_run(url, csv_path)
            again = import_run(url, csv_path) if args.reimport else None

    rows = outcome["created"] + outcome["updated"] + outcome["rejected"]
    elapsed = outcome["elapsed"]
    peak_mb = outcome["maxrss_kb"] / 1024
    print(
        f"import: {rows:,} rows in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s, "
        f"peak RSS {peak_mb:.0f} MB "
        f"(created {outcome['created']:,}, updated {outcome['updated']:,}, "
        f"rejected {outcome['rejected']:,}, cells dropped {outcome['warnings']:,}, "
        f"read as {outcome['encoding']})"
    )
    if again is not None:
        print(
            f"re-import (every row an update): {again['elapsed']:.2f} s = "
            f"{rows / again['elapsed']:,.0f} rows/s, peak RSS {again['maxrss_kb'] / 1024:.0f} MB "
            f"(created {again['created']:,}, updated {again['updated']:,})"
        )
    cpu = outcome["cpu"] + outcome["db_cpu"]
    print(
        f"CPU: importer process {outcome['cpu']:.1f} s + its database backends "
        f"{outcome['db_cpu']:.1f} s = {cpu:.1f} s, i.e. >= {cpu / 2:.1f} s of wall time on "
        f"2 idle cores (the load does not inflate CPU time as it does wall time)"
    )
    print(f"baseline: bare COPY into an unlogged text table {floor:.2f} s")
    if args.also_plain:
        with scratch_database(f"{args.database}_plain", keep=False) as url:
            _migrate(url)
            with tempfile.TemporaryDirectory(prefix="altavoz-bench-") as tmp:
                plain_path = Path(tmp) / "plain.csv"
                write_creators_csv(path=plain_path, rows=args.rows)
                plain = import_run(url, plain_path)
        plain_cpu = plain["cpu"] + plain["db_cpu"]
        print(
            f"plain file (Altavoz's own format, same rows): {plain['elapsed']:.2f} s, "
            f"CPU {plain['cpu']:.1f} s + {plain['db_cpu']:.1f} s = {plain_cpu:.1f} s; "
            f"this file / plain: {elapsed / plain['elapsed']:.2f}x wall, "
            f"{cpu / plain_cpu:.2f}x CPU"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"ratio importer/COPY: {elapsed / floor:.1f}x")
    met = elapsed < 45 and peak_mb < 300
    print(
        f"targets: < 45 s -> {'OK' if elapsed < 45 else 'MISSED'}; "
        f"< 300 MB -> {'OK' if peak_mb < 300 else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
