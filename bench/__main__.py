"""Run every benchmark in turn: `make bench` (or `.venv/bin/python -m bench [names…]`)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "import_creators",
    "segment_count",
    "segment_preview",
    "segment_behaviour",
    "fanout",
    "dispatch",
    "template_render",
    "creator_pages",
    "campaign_page",
    "sequence_step",
    "conversation_pages",
    "inbound_webhook",
    "events_api",
    "campaign_outcome",
    "trigger_latency",
    "intake_drain",
    "ops_pages",
    "creator_bulk",
]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    failed = []
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        if subprocess.call([sys.executable, "-m", f"bench.{name}"]) != 0:
            failed.append(name)
    print(
        f"\n{len(names) - len(failed)}/{len(names)} benchmarks met their targets"
        + (f"; not: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
