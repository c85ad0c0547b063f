"""`make run`: the demo on its own PostgreSQL, a filesystem broker and the fake providers.

Steps: start (or reuse) the embedded PostgreSQL under var/ unless DATABASE_URL names one,
migrate, compile the translations, load the demo data once, make the admin user, then run
Procfile.dev's processes with honcho in the foreground. Ctrl-C stops honcho's processes and
then the embedded server, cleanly; the next run reuses its data.

    python scripts/run_demo.py                 # web, worker, beat and fakes
    python scripts/run_demo.py web worker beat # only these (the smoke test brings its fakes)

ALTAVOZ_DEMO_CREATORS sets how many demo creators seed_demo makes (default 50,000).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from config.embedded_db import embedded_database_start, embedded_database_stop  # noqa: E402

PROCESSES = ("web", "worker", "beat", "fakes")


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def main(argv: list[str]) -> int:
    processes = argv or list(PROCESSES)
    unknown = sorted(set(processes) - set(PROCESSES))
    if unknown:
        print(f"run: unknown process {', '.join(unknown)}; choose from {PROCESSES}")
        return 2
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    var_dir = Path(env.get("ALTAVOZ_VAR_DIR") or BASE_DIR / "var")
    embedded = not env.get("DATABASE_URL")
    if embedded:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset on servers
            env["DATABASE_URL"] = embedded_database_start(var_dir=var_dir)
        print(f"run: embedded PostgreSQL at {env['DATABASE_URL']} (data in {var_dir}/pgdata)")
    try:
        _manage(env, "migrate", "--noinput")
        if shutil.which("msgfmt"):
            _manage(env, "compilemessages", "--ignore=.venv", "--ignore=.tools", "-v0")
        else:
            print("run: msgfmt not found (apt-get install gettext): the UI stays in English")
        seed = ["seed_demo", "--if-empty"]
        if env.get("ALTAVOZ_DEMO_CREATORS"):
            seed += ["--creators", env["ALTAVOZ_DEMO_CREATORS"]]
        _manage(env, *seed)
        _manage(env, "ensure_admin")
        if "fakes" in processes:
            env["ALTAVOZ_WITH_FAKES"] = "1"
        honcho = Path(sys.executable).parent / "honcho"
        child = subprocess.Popen(
            [str(honcho), "-f", "Procfile.dev", "start", *processes], cwd=BASE_DIR, env=env
        )
        # Ctrl-C reaches honcho through the terminal's process group; wait for it to stop
        # its processes before the database goes.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGINT))
        try:
            return child.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
    finally:
        if embedded:
            embedded_database_stop(var_dir=var_dir)
            print("run: embedded PostgreSQL stopped")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
