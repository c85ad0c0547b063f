"""Altavoz settings: every value comes from the environment, with a default that runs the demo.

`ALTAVOZ_ENV=production` turns on the deployment hardening (and refuses to start without
`SECRET_KEY`); anything else is a developer machine.
"""

from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_celery_beat.tzcrontab import TzAwareCrontab

from config.env import BASE_DIR, env

ALTAVOZ_ENV = env("ALTAVOZ_ENV", default="development")
PRODUCTION = ALTAVOZ_ENV == "production"

VAR_DIR = Path(env("ALTAVOZ_VAR_DIR", default=str(BASE_DIR / "var")))

if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters in production."
        )
else:
    SECRET_KEY = env(
        "SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789"
    )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address creators and providers reach us at: tracking links, webhooks, magic links.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # OpClass in functional indexes (creators search), trigram ops
    "django_celery_beat",
    "ninja",  # its Swagger UI from our static files, not a CDN
    "csp",
    "accounts",
    "creators",
    "events",
    "segments",
    "campaigns",
    "dashboard",
    "tracking",
    "programs",
    "outcomes",
    "conversations",
    "channels",
    "audit",
    "agencies",
    "common",
    "education",
    "portal",
    "markets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # registered provider webhooks answer here, without the page middleware (common/fastpaths.py)
    "common.fastpaths.FastPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # 400 for a NUL or invalid UTF-8 in query or form text, before any view (common/middleware.py)
    "common.middleware.RequestTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.PortalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.notifications_unread",
                "config.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL everywhere, one SQL dialect. Without DATABASE_URL, the embedded server that
# `make run` starts under var/ (config/embedded_db.py writes its URL beside its data).
_embedded_url_file = VAR_DIR / "embedded-postgres.url"
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=(
            _embedded_url_file.read_text().strip()
            if _embedded_url_file.exists()
            else f"postgres://postgres@/altavoz?host={VAR_DIR / 'pgdata'}"
        ),
    ),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        f"DATABASE_URL must name a PostgreSQL database, not {DATABASES['default']['ENGINE']}"
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by web, worker and beat processes on this machine (dispatch heartbeats, locks).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else ./control in the working dir
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# How long an invitation link (Team page, an agency's members) works (docs/roles.md, "People").
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Sign-in throttling (docs/security.md, "Sign-in throttling"), on the ops and admin login forms, counted in
# the cache (Redis in production). SIGNIN_ACCOUNT_FAILURES failed sign-ins for one username
# within SIGNIN_WINDOW_MINUTES pause that username for SIGNIN_PAUSE_MINUTES, except from
# addresses it signed in from within SIGNIN_KNOWN_ADDRESS_DAYS (failures there are counted
# apart); SIGNIN_ADDRESS_FAILURES failed sign-ins from one address pause that address.
SIGNIN_ACCOUNT_FAILURES = env.int("SIGNIN_ACCOUNT_FAILURES", default=10)
SIGNIN_ADDRESS_FAILURES = env.int("SIGNIN_ADDRESS_FAILURES", default=30)
SIGNIN_WINDOW_MINUTES = env.int("SIGNIN_WINDOW_MINUTES", default=15)
SIGNIN_PAUSE_MINUTES = env.int("SIGNIN_PAUSE_MINUTES", default=15)
SIGNIN_KNOWN_ADDRESS_DAYS = env.int("SIGNIN_KNOWN_ADDRESS_DAYS", default=30)
# Behind the proxy that appends the client's address to X-Forwarded-For, sign-in throttling
# takes the last entry there (the one the proxy wrote) instead of the proxy's own address. On
# in production, which always runs behind one (docs/deploy.md): else all clients would share
# the proxy's address, and one of them could pause sign-in for everyone.
SIGNIN_TRUST_X_FORWARDED_FOR = env.bool("SIGNIN_TRUST_X_FORWARDED_FOR", default=PRODUCTION)

# --- Languages and time -----------------------------------------------------------------------
LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Spanish (Mexico)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="America/Mexico_City")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Off the deployment, whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

# --- Security (production) --------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own static files (no inline
# script, no eval), nothing from other origins. Styles allow inline because email previews
# are inlined-CSS HTML in a sandboxed iframe; images allow data: and https: (creators'
# avatars and email images in previews). docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Providers (base URLs default to the real providers; point them at loopback for fakes) --
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="sendgrid")  # sendgrid | smtp
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Altavoz <creadores@altavoz.example>")
SENDGRID_API_KEY = env("SENDGRID_API_KEY", default="")
SENDGRID_BASE_URL = env("SENDGRID_BASE_URL", default="https://api.sendgrid.com")
SENDGRID_WEBHOOK_PUBLIC_KEY = env("SENDGRID_WEBHOOK_PUBLIC_KEY", default="")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_WHATSAPP_FROM = env("TWILIO_WHATSAPP_FROM", default="")
TWILIO_BASE_URL = env("TWILIO_BASE_URL", default="https://api.twilio.com")
# Twilio's Content API: the approved WhatsApp templates (docs/whatsapp-templates.md).
TWILIO_CONTENT_BASE_URL = env("TWILIO_CONTENT_BASE_URL", default="https://content.twilio.com")
FCM_PROJECT_ID = env("FCM_PROJECT_ID", default="")
FCM_CREDENTIALS_FILE = env("FCM_CREDENTIALS_FILE", default="")
FCM_BASE_URL = env("FCM_BASE_URL", default="https://fcm.googleapis.com")

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Dispatch -----------------------------------------------------------------------------------
# Deliveries claimed per batch by one dispatcher, and messages in flight per adapter.
DISPATCH_BATCH_SIZE = env.int("DISPATCH_BATCH_SIZE", default=1000)
# Messages marked `sending` together right before their provider calls start.
DISPATCH_SEND_CHUNK = env.int("DISPATCH_SEND_CHUNK", default=50)
# Batches one dispatcher keeps on the wire while it claims and renders the next.
DISPATCH_BATCHES_IN_FLIGHT = env.int("DISPATCH_BATCHES_IN_FLIGHT", default=2)
DISPATCH_PARALLELISM = env.int("DISPATCH_PARALLELISM", default=2)  # dispatch tasks per launch
# Allocations between two young-generation collections in worker processes (common/runtime.py).
WORKER_GC_GEN0_THRESHOLD = env.int("WORKER_GC_GEN0_THRESHOLD", default=10_000)
# Campaigns need a manager's approval before they launch or are scheduled (docs/campaigns-ui.md).
REQUIRE_APPROVAL = env.bool("REQUIRE_APPROVAL", default=False)
DISPATCH_MAX_ATTEMPTS = env.int("DISPATCH_MAX_ATTEMPTS", default=10)
DISPATCH_BACKOFF_BASE = env.float("DISPATCH_BACKOFF_BASE", default=2.0)  # seconds
DISPATCH_BACKOFF_MAX = env.float("DISPATCH_BACKOFF_MAX", default=600.0)
# A delivery left `sending` longer than this belongs to a worker that died: it becomes `unknown`.
DISPATCH_LEASE_SECONDS = env.int("DISPATCH_LEASE_SECONDS", default=300)
DISPATCH_WATCHDOG_SECONDS = env.int("DISPATCH_WATCHDOG_SECONDS", default=30)
# An `unknown` delivery no callback or event settled this long is looked up at its provider
# and sent again if it provably never got there (campaigns/reconcile.py). Longer than the
# providers' callback and event delays, so their word comes first.
DISPATCH_RECONCILE_SECONDS = env.int("DISPATCH_RECONCILE_SECONDS", default=900)
# A dispatcher refreshes this mark every batch; the watchdog restarts dispatch when it lapses.
DISPATCH_HEARTBEAT_SECONDS = env.int("DISPATCH_HEARTBEAT_SECONDS", default=60)
CHANNEL_CONCURRENCY = env.int("CHANNEL_CONCURRENCY", default=400)

# --- Sending policies (docs/policies.md) --------------------------------------------------------
# Default quiet hours in each creator's time zone, "HH:MM-HH:MM" (e.g. "21:00-09:00"); empty: none.
QUIET_HOURS = env("QUIET_HOURS", default="")
# At most FREQUENCY_CAP messages per creator per channel in a rolling window (0: no cap), with
# per-kind overrides "announcement=3,mission=2". Transactional campaigns are exempt.
FREQUENCY_CAP = env.int("FREQUENCY_CAP", default=0)
FREQUENCY_CAP_WINDOW_HOURS = env.int("FREQUENCY_CAP_WINDOW_HOURS", default=24)
FREQUENCY_CAP_BY_KIND = {
    kind: int(cap) for kind, cap in env.dict("FREQUENCY_CAP_BY_KIND", default={}).items()
}
# The program-wide holdout (docs/policies.md): this share of creators (by a stable hash of the
# creator, creators/holdout.py) gets no marketing send at all; transactional campaigns still
# reach them. 0: no program-wide holdout. 5 is a usual choice.
PROGRAM_HOLDOUT_PERCENT = env.float("PROGRAM_HOLDOUT_PERCENT", default=0.0)
# When the holdout began (YYYY-MM-DD): its effect page cumulates from that month.
PROGRAM_HOLDOUT_SINCE = env("PROGRAM_HOLDOUT_SINCE", default="")
# Sends per variant below which the stats page will not call an A/B winner.
AB_MIN_SAMPLE = env.int("AB_MIN_SAMPLE", default=100)
# Campaign outcomes (docs/outcomes.md): creators per side below which the page says the sample
# is too small to say, the longest window asked for, and how long a computed outcome is kept.
OUTCOME_MIN_CREATORS = env.int("OUTCOME_MIN_CREATORS", default=100)
OUTCOME_MAX_WINDOW_DAYS = env.int("OUTCOME_MAX_WINDOW_DAYS", default=90)
OUTCOME_CACHE_SECONDS = env.int("OUTCOME_CACHE_SECONDS", default=3600)
# How long reach counts are reused: a segment's reachable creators per channel (the campaign
# wizard's audience and review steps) and a sequence step's "would reach today", both loaded
# lazily; editing the segment or the step counts afresh (docs/segments.md, docs/sequences.md).
REACH_COUNT_CACHE_SECONDS = env.int("REACH_COUNT_CACHE_SECONDS", default=120)
# PostgreSQL work_mem for the outcome's one statement (SET LOCAL): its per-creator hash fits.
OUTCOME_WORK_MEM = env("OUTCOME_WORK_MEM", default="256MB")
CHANNEL_HTTP_CONNECTIONS = env.int("CHANNEL_HTTP_CONNECTIONS", default=500)
CHANNEL_CONNECT_TIMEOUT = env.float("CHANNEL_CONNECT_TIMEOUT", default=5.0)
CHANNEL_READ_TIMEOUT = env.float("CHANNEL_READ_TIMEOUT", default=20.0)
EMAIL_THREADS = env.int("EMAIL_THREADS", default=8)
# Messages per second per provider, shared by every worker through Redis; 0 = no limit.
PROVIDER_RATE_LIMITS = {
    provider: int(rate)
    for provider, rate in env.dict(
        "PROVIDER_RATE_LIMITS",
        default={"twilio": 100, "sendgrid": 600, "fcm": 1000, "smtp": 50, "inbox": 0},
    ).items()
}

CELERY_BEAT_SCHEDULE = {
    "dispatch-watchdog": {
        "task": "campaigns.tasks.dispatch_watchdog",
        "schedule": float(DISPATCH_WATCHDOG_SECONDS),
    },
    # Sequences (docs/sequences.md): execute the follow-up steps whose time has come.
    "sequence-steps-due": {
        "task": "campaigns.tasks.sequence_steps_due",
        "schedule": 60.0,
    },
}
# Creator.gmv_30d follows the daily gmv metrics (docs/metrics.md): refreshed after every
# metric import, and daily for the day that leaves the 30-day window (00:10 in TIME_ZONE).
CELERY_BEAT_SCHEDULE["gmv-30d-refresh"] = {
    "task": "programs.tasks.gmv_30d_refresh",
    "schedule": TzAwareCrontab(minute=10, hour=0, tz=ZoneInfo(TIME_ZONE)),
}
# Minutes between re-evaluations of running sequences' dynamic segments for late entrants
# (a fan-out over the segment each time; 0: no late entrants).
SEQUENCE_ENTRANTS_MINUTES = env.int("SEQUENCE_ENTRANTS_MINUTES", default=60)
if SEQUENCE_ENTRANTS_MINUTES > 0:
    CELERY_BEAT_SCHEDULE["sequence-entrants-add"] = {
        "task": "campaigns.tasks.sequence_entrants_add",
        "schedule": SEQUENCE_ENTRANTS_MINUTES * 60.0,
    }

# Minutes between syncs of the WhatsApp template catalogue from Twilio's Content API
# (docs/whatsapp-templates.md); 0: only on demand ("Sync now" on the templates page).
WHATSAPP_TEMPLATES_SYNC_MINUTES = env.int("WHATSAPP_TEMPLATES_SYNC_MINUTES", default=15)
if WHATSAPP_TEMPLATES_SYNC_MINUTES > 0:
    CELERY_BEAT_SCHEDULE["whatsapp-templates-sync"] = {
        "task": "channels.tasks.whatsapp_templates_sync",
        "schedule": WHATSAPP_TEMPLATES_SYNC_MINUTES * 60.0,
    }

# --- Programs (docs/programs.md) ----------------------------------------------------------------
# The checklist's link checker: seconds per connect/read, redirects followed, and whether
# loopback and private addresses may be checked (tests only; metadata addresses never are).
LINK_CHECK_TIMEOUT = env.float("LINK_CHECK_TIMEOUT", default=5.0)
LINK_CHECK_MAX_REDIRECTS = env.int("LINK_CHECK_MAX_REDIRECTS", default=5)
LINK_CHECK_ALLOW_PRIVATE = env.bool("LINK_CHECK_ALLOW_PRIVATE", default=False)

# --- Tracking -----------------------------------------------------------------------------------
# A click on an email or WhatsApp link this soon after the send is a link scanner's.
TRACKING_BOT_CLICK_SECONDS = env.float("TRACKING_BOT_CLICK_SECONDS", default=5.0)
# Clicks on this many different links of one message within this window: a scanner's burst.
TRACKING_BURST_LINKS = env.int("TRACKING_BURST_LINKS", default=2)
TRACKING_BURST_SECONDS = env.float("TRACKING_BURST_SECONDS", default=2.0)
# Delivery-state figures (targeted, sent, failed) are counted from the deliveries table and
# cached this many seconds; the event figures come from the rollups, always current.
TRACKING_DELIVERY_COUNTS_TTL = env.int("TRACKING_DELIVERY_COUNTS_TTL", default=30)
CELERY_BEAT_SCHEDULE["tracking-delivery-counts-warm"] = {
    "task": "tracking.tasks.delivery_counts_warm",
    "schedule": 10.0,
}
# Behind a proxy that sets X-Forwarded-For, take the client address from it.
TRACKING_TRUST_X_FORWARDED_FOR = env.bool("TRACKING_TRUST_X_FORWARDED_FOR", default=False)
# Queue pixel and click hits in Redis and record them from the `tracking.tasks.events_drain`
# task (docs/tracking.md): the endpoints then answer without a database transaction.
# On by default in production (where Redis runs), off on a developer machine and in tests.
TRACKING_WRITE_BEHIND = env.bool("TRACKING_WRITE_BEHIND", default=PRODUCTION) and bool(REDIS_URL)
if TRACKING_WRITE_BEHIND:
    CELERY_BEAT_SCHEDULE["tracking-events-drain"] = {
        "task": "tracking.tasks.events_drain",
        "schedule": 1.0,
    }
# Hits the drain claims and records per transaction, and how long a claimed chunk may stay
# unrecorded before another drain puts it back in the queue (its drain died or stalled).
TRACKING_DRAIN_BATCH = env.int("TRACKING_DRAIN_BATCH", default=1000)
TRACKING_DRAIN_CLAIM_SECONDS = env.float("TRACKING_DRAIN_CLAIM_SECONDS", default=60.0)
# GET /metrics (Prometheus text) answers only `Authorization: Bearer <METRICS_TOKEN>`; empty
# (the default) turns the endpoint off (404).
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Tokens (docs/tracking.md, "Tokens"): seconds each kind stays valid after it was made ----
# Click redirects and the email open pixel: a message's links keep working (and counting)
# for a year.
TRACKING_CLICK_TOKEN_MAX_AGE = env.int("TRACKING_CLICK_TOKEN_MAX_AGE", default=365 * 24 * 3600)
TRACKING_OPEN_TOKEN_MAX_AGE = env.int("TRACKING_OPEN_TOKEN_MAX_AGE", default=365 * 24 * 3600)
# The push's `tracking_token`: a notification is opened within days, if ever.
TRACKING_PUSH_TOKEN_MAX_AGE = env.int("TRACKING_PUSH_TOKEN_MAX_AGE", default=30 * 24 * 3600)
# Unsubscribe links: long past the 30 days the law asks for, so an old email still works.
UNSUBSCRIBE_TOKEN_MAX_AGE = env.int("UNSUBSCRIBE_TOKEN_MAX_AGE", default=2 * 365 * 24 * 3600)
# The creator app's bearer token for the inbox API.
CREATOR_APP_TOKEN_MAX_AGE = env.int("CREATOR_APP_TOKEN_MAX_AGE", default=30 * 24 * 3600)
# Also read click, pixel, push-open and unsubscribe tokens made before tokens carried their
# time (they cannot expire): turn off once the longest max age above has passed since the
# release that added timestamps.
TOKENS_ACCEPT_UNTIMESTAMPED = env.bool("TOKENS_ACCEPT_UNTIMESTAMPED", default=True)

# Provider webhook batches (docs/tracking.md, "Webhooks"): the SendGrid endpoint stores each
# verified batch and answers; with TRACKING_WEBHOOK_QUEUE a worker applies it, else the request
# applies it after storing it (tests, `make run` without a worker). Batches left unapplied
# longer than TRACKING_WEBHOOK_SWEEP_MINUTES are applied by the sweep (beat, every minute).
TRACKING_WEBHOOK_QUEUE = env.bool("TRACKING_WEBHOOK_QUEUE", default=PRODUCTION)
TRACKING_WEBHOOK_SWEEP_MINUTES = env.float("TRACKING_WEBHOOK_SWEEP_MINUTES", default=2.0)
# Applied batches are deleted by the sweep after this many days.
TRACKING_WEBHOOK_KEEP_DAYS = env.int("TRACKING_WEBHOOK_KEEP_DAYS", default=7)
SENDGRID_WEBHOOK_MAX_BYTES = env.int("SENDGRID_WEBHOOK_MAX_BYTES", default=32 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["tracking-webhook-batches-sweep"] = {
    "task": "tracking.tasks.webhook_batches_sweep",
    "schedule": 60.0,
}

# --- Events (docs/events.md) -------------------------------------------------------------------
# Events (and their idempotency keys) older than this are dropped, a month's partition at a time.
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=400)
# An event may say it occurred at most this many days ahead (clock skew, simulated time).
EVENTS_MAX_FUTURE_DAYS = env.int("EVENTS_MAX_FUTURE_DAYS", default=31)
# Monthly partitions made ahead of the current month (daily by beat, and after migrate).
EVENTS_PARTITIONS_AHEAD_MONTHS = env.int("EVENTS_PARTITIONS_AHEAD_MONTHS", default=3)
CELERY_BEAT_SCHEDULE["events-partitions-maintain"] = {
    "task": "events.tasks.event_partitions_maintain_task",
    "schedule": 6 * 3600.0,
}

# --- Conversations (docs/conversations.md) ---------------------------------------------------
# Twilio's incoming-message webhook (`/hooks/twilio/inbound`) stores each signed message and
# answers; with CONVERSATIONS_INBOUND_QUEUE a worker files it in its thread, else the request
# does after storing it (tests, `make run` without a worker). Messages left unfiled longer than
# CONVERSATIONS_INBOUND_SWEEP_SECONDS are filed by the sweep (beat, every 30 seconds).
CONVERSATIONS_INBOUND_QUEUE = env.bool("CONVERSATIONS_INBOUND_QUEUE", default=PRODUCTION)
CONVERSATIONS_INBOUND_SWEEP_SECONDS = env.float("CONVERSATIONS_INBOUND_SWEEP_SECONDS", default=30.0)
# Filed webhooks are deleted by the sweep after this many days (the messages stay).
CONVERSATIONS_INBOUND_KEEP_DAYS = env.int("CONVERSATIONS_INBOUND_KEEP_DAYS", default=7)
# A reply without OriginalRepliedMessageSid answers the creator's latest WhatsApp delivery sent
# within this many hours.
CONVERSATIONS_REPLY_ATTRIBUTION_HOURS = env.int("CONVERSATIONS_REPLY_ATTRIBUTION_HOURS", default=72)
# A message that is only one of these words (case, accents, punctuation and spaces around it
# ignored) denies WhatsApp consent, or grants it back (es-MX and en).
WHATSAPP_OPT_OUT_KEYWORDS = env.list(
    "WHATSAPP_OPT_OUT_KEYWORDS",
    default=[
        "BAJA",
        "DAR DE BAJA",
        "ALTO",
        "CANCELAR",
        "DETENER",
        "PARAR",
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPT OUT",
    ],
)
WHATSAPP_OPT_IN_KEYWORDS = env.list(
    "WHATSAPP_OPT_IN_KEYWORDS",
    default=["ALTA", "DAR DE ALTA", "REANUDAR", "START", "UNSTOP", "SUBSCRIBE", "OPT IN"],
)
CELERY_BEAT_SCHEDULE["conversations-inbound-sweep"] = {
    "task": "conversations.tasks.inbound_webhooks_sweep",
    "schedule": 30.0,
}

# --- Creator portal (docs/portal.md) --------------------------------------------------------
# Seconds a magic link (and a preference-center link) stays valid after it was made; a link
# derived from a message (unsubscribe page, `learn()` click) counts from the message.
PORTAL_LINK_MAX_AGE = env.int("PORTAL_LINK_MAX_AGE", default=30 * 24 * 3600)

# --- Message templates (docs/templates.md) -----------------------------------------------------
# URL schemes of app deep links a message may link to, besides http(s) (comma-separated, no ":").
ALTAVOZ_DEEP_LINK_SCHEMES = [
    scheme.strip().lower().rstrip(":")
    for scheme in env.list("ALTAVOZ_DEEP_LINK_SCHEMES", default=["altavoz", "tiktokshop"])
    if scheme.strip()
]

# --- Agencies -----------------------------------------------------------------------------------
# Files agencies upload: outside the web root and MEDIA_ROOT, served only through a permission
# check (docs/agencies.md).
AGENCY_FILES_DIR = Path(env("AGENCY_FILES_DIR", default=str(VAR_DIR / "agency-files")))
# Largest file an agency may upload, in bytes (50 MB).
AGENCY_UPLOAD_MAX_BYTES = env.int("AGENCY_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)

# --- Triggered campaigns (docs/triggers.md) -----------------------------------------------------
# Events claimed by a trigger inbox drain that died go back to the inbox (campaigns/trigger_inbox.py).
if REDIS_URL:
    CELERY_BEAT_SCHEDULE["trigger-inbox-recover"] = {
        "task": "campaigns.tasks.trigger_inbox_drain",
        "schedule": 60.0,
    }
