"""The one place that reads the environment (HackSoftware styleguide: one `environ.Env()`)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A local `.env` is optional; real deployments set variables in the process environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
