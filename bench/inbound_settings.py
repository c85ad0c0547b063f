"""Settings for bench.inbound_webhook: the app's settings plus a bare POST view (no DB)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.inbound_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
