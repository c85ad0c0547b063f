"""``python -m fakes``: run the loopback fake providers (Twilio, SendGrid, FCM, SMTP)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from pathlib import Path

import uvloop

from fakes.contracts import ContractsMissing, contracts_disabled, contracts_load
from fakes.core import (
    DEFAULT_FCM_PROJECT_ID,
    DEFAULT_SENDGRID_API_KEY,
    DEFAULT_TWILIO_ACCOUNT_SID,
    DEFAULT_TWILIO_AUTH_TOKEN,
    Settings,
)
from fakes.server import DEFAULT_PORTS, serve


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def parser_build() -> argparse.ArgumentParser:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python -m fakes", description=__doc__)
    p.add_argument("--host", default=env("FAKES_HOST", "127.0.0.1"))
    for name, port in DEFAULT_PORTS.items():
        p.add_argument(
            f"--{name}-port",
            type=int,
            default=_env_int(f"FAKES_{name.upper()}_PORT", port),
            help=f"0 = any free port (default {port}, env FAKES_{name.upper()}_PORT)",
        )
    p.add_argument(
        "--contracts-dir",
        default=None,
        help="default: $ALTAVOZ_CONTRACTS_DIR or the repository's contracts/",
    )
    p.add_argument(
        "--no-contracts",
        action="store_true",
        help="run without request validation against the contracts (say so explicitly)",
    )
    p.add_argument(
        "--state-dir", default=env("FAKES_STATE_DIR"), help="keep keys and fakes.env here"
    )
    p.add_argument("--ready-file", default=None, help="write the config JSON here once listening")
    p.add_argument(
        "--twilio-account-sid", default=env("TWILIO_ACCOUNT_SID") or DEFAULT_TWILIO_ACCOUNT_SID
    )
    p.add_argument(
        "--twilio-auth-token", default=env("TWILIO_AUTH_TOKEN") or DEFAULT_TWILIO_AUTH_TOKEN
    )
    p.add_argument(
        "--sendgrid-api-key", default=env("SENDGRID_API_KEY") or DEFAULT_SENDGRID_API_KEY
    )
    p.add_argument("--sendgrid-webhook-url", default=env("FAKES_SENDGRID_WEBHOOK_URL"))
    p.add_argument(
        "--twilio-inbound-url",
        default=env("FAKES_TWILIO_INBOUND_URL"),
        help="the app's incoming-message webhook URL for the inbound simulator",
    )
    p.add_argument("--fcm-project-id", default=env("FCM_PROJECT_ID") or DEFAULT_FCM_PROJECT_ID)
    p.add_argument("--latency-ms", type=float, default=float(env("FAKES_LATENCY_MS", "0")))
    p.add_argument("--outbox-limit", type=int, default=_env_int("FAKES_OUTBOX_LIMIT", 1_000_000))
    p.add_argument("--seed", type=int, default=None)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser_build().parse_args(argv)
    if args.no_contracts:
        print(
            "fake providers: --no-contracts: requests are NOT checked against the contracts",
            file=sys.stderr,
        )
        contracts = contracts_disabled()
    else:
        try:
            contracts = contracts_load(args.contracts_dir)
        except ContractsMissing as error:
            print(f"fake providers: FATAL: {error}", file=sys.stderr)
            return 3
    settings = Settings(
        host=args.host,
        twilio_account_sid=args.twilio_account_sid,
        twilio_auth_token=args.twilio_auth_token,
        sendgrid_api_key=args.sendgrid_api_key,
        fcm_project_id=args.fcm_project_id,
        sendgrid_webhook_url=args.sendgrid_webhook_url,
        twilio_inbound_url=args.twilio_inbound_url,
        outbox_limit=args.outbox_limit,
        state_dir=Path(args.state_dir) if args.state_dir else None,
        latency_ms=args.latency_ms,
        seed=args.seed,
    )
    ports = {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
    # As a worker process does (common/runtime.py): what was loaded is frozen out of the
    # collector's scans, and the young generation is collected less often. The fakes keep
    # every request in their outbox, objects that would otherwise be promoted and rescanned.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    try:
        # uvloop, as the dispatcher uses: a fake provider should cost the machine as little
        # as it can, since on a small box it shares the CPU with the worker it measures.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(settings, contracts, ports, args.ready_file))
    except OSError as error:
        print(f"fake providers: FATAL: {error}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
