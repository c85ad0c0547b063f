"""Twilio's incoming-message webhook under gunicorn, beside a bare POST view on the same server.

    DATABASE_URL=postgres://…/altavoz REDIS_URL=redis://…/9 CELERY_BROKER_URL=redis://…/9 \\
        .venv/bin/python -m bench.inbound_webhook [--duration 10] [--connections 32] [--workers 2xCPU+1]

Works in its own database (`<name of DATABASE_URL's database>_bench_inbound_webhook`, made
anew and migrated, dropped at the end unless --keep; bench/scratch.py).

Signs N distinct incoming WhatsApp messages (each its own MessageSid, as
contracts/twilio_inbound_message.md describes them) with the Twilio SDK's RequestValidator,
starts gunicorn (sync workers) on loopback and drives it with wrk (Debian package `wrk`):
first the bare view, then `/hooks/twilio/inbound` as production runs it (signature check,
INSERT … ON CONFLICT DO NOTHING committed before the answer, a Celery task queued on commit
once per burst; CONVERSATIONS_INBOUND_QUEUE on). The bare view is the baseline
bench/tracking_endpoints.py uses: a plain Django view on the same server behind the project's
whole middleware stack (bench/inbound_urls.py), here reading the form and answering the same
empty TwiML, with no database and no signature. The webhook itself skips the page middleware
(common/fastpaths.py): that is part of what is measured. Prints requests/s, p99 and the ratio
to the bare view (targets: ≥ 1,000 req/s and ≥ 50%); exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.scratch import scratch_django, scratch_name
from config.gunicorn import workers_default

PATH = "/hooks/twilio/inbound"
BARE = "/bench/bare-inbound"
# Each wrk thread takes every other line (signature TAB body), so no message is sent twice.
LUA = """
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local lines = {}
local path = "/"
function init(args)
  path = args[1]
  local n = 0
  for line in io.lines("%s") do
    if n %% 2 == tid then lines[#lines + 1] = line end
    n = n + 1
  end
end
local i = 0
request = function()
  i = i + 1
  if i > #lines then i = 1 end
  local tab = string.find(lines[i], "\\t")
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = string.sub(lines[i], 1, tab - 1),
    ["User-Agent"] = "TwilioProxy/1.1",
  }
  return wrk.format("POST", path, headers, string.sub(lines[i], tab + 1))
end
"""


def messages_sign(count: int, public_base: str) -> list[str]:
    from django.conf import settings
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    url = f"{public_base}{PATH}"
    run = f"{int(time.time()):x}"
    lines = []
    for index in range(count):
        sid = f"SM{run}{index:024x}"[:34]
        number = f"52155{index % 100_000_000:08d}"
        params = {
            "AccountSid": "AC" + "b" * 32,
            "ApiVersion": "2010-04-01",
            "Body": "Hola, ¿cómo me inscribo a la misión?",
            "From": f"whatsapp:+{number}",
            "To": "whatsapp:+14155238886",
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "NumMedia": "0",
            "NumSegments": "1",
            "ProfileName": "Creadora",
            "WaId": number,
            "MessageType": "text",
        }
        signature = validator.compute_signature(url, params)
        lines.append(f"{signature}\t{urlencode(params)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    # What the web container runs (config/gunicorn.py): 2 x cores + 1 unless WEB_CONCURRENCY.
    parser.add_argument("--workers", type=int, default=workers_default())
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    environ = {"TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN", "bench-twilio-auth-token")}
    with scratch_django(scratch_name("_bench_inbound_webhook"), keep=args.keep, environ=environ):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from django.db import connection

    from bench.tracking_endpoints import free_port, wrk
    from conversations.models import InboundWebhook

    port = free_port()
    public_base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="altavoz-bench-"))
    (tmp / "messages.txt").write_text("\n".join(messages_sign(args.messages, public_base)) + "\n")
    (tmp / "inbound.lua").write_text(LUA % (tmp / "messages.txt"))
    connection.close()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.inbound_settings",
        "PUBLIC_BASE_URL": public_base,
        "CONVERSATIONS_INBOUND_QUEUE": "true",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    script = tmp / "inbound.lua"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}{BARE}", data=b"a=b", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        wrk(base, script, 2, args.connections, [BARE])  # warm every worker
        bare = wrk(base, script, args.duration, args.connections, [BARE])
        inbound = wrk(base, script, args.duration, args.connections, [PATH])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    stored = InboundWebhook.objects.count()
    connection.close()
    ratio = inbound[0] / bare[0]
    print(
        f"gunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} "
        f"-d{args.duration}s, loopback, {os.cpu_count()} CPUs, load average "
        + " ".join(f"{load:.2f}" for load in os.getloadavg())
    )
    print(f"  bare POST view (full middleware, no DB): {bare[0]:8.0f} req/s  p99 {bare[1]}")
    print(
        f"  signed inbound webhook (store+queue):    {inbound[0]:8.0f} req/s  p99 {inbound[1]}"
        f"  ratio {ratio:.0%}  (targets: >= 1,000 req/s, >= 50%)"
    )
    print(f"  stored {stored:,} distinct messages (each filed later by a worker)")
    return 0 if inbound[0] >= 1000 and ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
