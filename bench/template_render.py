"""Message rendering throughput: renders/s for a typical push and a typical email, one process.

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m bench.template_render [--seconds 3]

Each case renders a different creator per call (context built from a `.values()`-style row,
links rewritten through a LinkBuilder that makes tracked URLs) through `MessageRenderer`
compiled once. Printed beside two baselines measured in the same run:
- naive: the same templates compiled again for every render (what compile-once saves);
- plain Jinja: the same templates in an unsandboxed `jinja2.Environment`, rendered once per
  creator with no link rewriting, text generation or CSS inlining (the floor the sandbox and
  the email post-steps add to).
Needs no database.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

PUSH = {
    "title": "¡{{ creator.first_name }}, tu reto empieza hoy! 🔥",
    "body": "Llevas {{ creator.gmv_30d|mxn }} en 30 días. {% if creator.level >= 3 %}Como nivel "
    "{{ creator.level }} tienes bono doble.{% else %}Sube de nivel con el reto.{% endif %} "
    "Detalles: https://altavoz.mx/retos/{{ campaign.id }}",
    "link": "https://altavoz.mx/app/retos/{{ campaign.id }}?h={{ creator.handle }}",
}

EMAIL = {
    "subject": "{{ creator.first_name }}, {{ campaign.name }} ya empezó",
    "preheader": "Gana hasta {{ 5000|mxn(0) }} extra este mes",
    "html": """<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: Arial, sans-serif; background: #f4f4f4; }
.wrap { max-width: 600px; margin: 0 auto; background: #ffffff; padding: 24px; }
h1 { font-size: 24px; color: #111111; } p { font-size: 16px; line-height: 1.5; color: #333333; }
.cta { display: inline-block; background: #fe2c55; color: #ffffff; padding: 12px 20px; }
.foot { font-size: 12px; color: #888888; }
@media (max-width: 600px) { .wrap { padding: 12px; } }
</style></head><body><div class="wrap">
<h1>¡Hola {{ creator.first_name }}!</h1>
<p>En los últimos 30 días vendiste <strong>{{ creator.gmv_30d|mxn }}</strong> con
{{ creator.followers|number }} seguidores. {{ campaign.name }} cierra el {{ campaign.send_at|date }}.</p>
{% if creator.level >= 3 %}<p>Como creador nivel {{ creator.level }} tienes bono doble.</p>
{% else %}<p>Completa el reto y sube a nivel {{ creator.level + 1 }}.</p>{% endif %}
<p><a class="cta" href="https://altavoz.mx/retos/{{ campaign.id }}">Quiero participar</a></p>
<p>¿Primera vez en LIVE? <a href="{{ learn('live-101') }}">Mira la guía de 5 minutos</a>.</p>
<ul>{% for tag in creator.tags %}<li>#{{ tag }}</li>{% endfor %}</ul>
<p class="foot"><a href="{{ preferences_url() }}">Preferencias</a> ·
<a href="{{ unsubscribe_url() }}">Darte de baja</a></p>
</div></body></html>""",
    "text": "",
}


class BenchLinks:
    """Tracked URLs as dispatch would make them (without the signing cost)."""

    base = "https://t.altavoz.mx/c/"

    def __init__(self, delivery_id: int) -> None:
        self.delivery_id = delivery_id
        self.count = 0

    def track(self, url: str, label: str | None = None) -> str:
        self.count += 1
        return f"{self.base}{self.delivery_id}.{self.count}"

    def is_tracked(self, url: str) -> bool:
        return url.startswith(self.base)

    def never_tracked(self, url: str) -> bool:
        return url in (self.unsubscribe(), self.preferences(), self.portal())

    def learn(self, slug: str) -> str:
        return self.track(f"https://app.altavoz.mx/learn/{slug}/")

    def preferences(self) -> str:
        return f"https://app.altavoz.mx/p/{self.delivery_id}"

    def unsubscribe(self) -> str:
        return f"https://app.altavoz.mx/u/{self.delivery_id}"

    def portal(self) -> str:
        return f"https://app.altavoz.mx/me/{self.delivery_id}"


def creator_rows(count: int) -> list[dict]:
    rng = random.Random(7)
    names = ["María López", "José Pérez", "Ana", "Luis Hernández", "Sofía <b>", "Kim O'Neil"]
    start = datetime(2023, 1, 1, tzinfo=UTC)
    return [
        {
            "id": index,
            "handle": f"creador{index}",
            "name": rng.choice(names),
            "locale": "en" if rng.random() < 0.15 else "es-MX",
            "timezone": rng.choice(["America/Mexico_City", "America/Tijuana", "America/Cancun"]),
            "state": rng.choice(["JAL", "CMX", "NLE", ""]),
            "level": rng.randint(0, 5),
            "followers": rng.randint(100, 2_000_000),
            "gmv_30d": Decimal(rng.randint(0, 5_000_000)) / 100,
            "joined_at": start + timedelta(days=rng.randint(0, 900)),
            "tags": rng.sample(["top", "beauty", "live", "moda", "tech"], 2),
        }
        for index in range(count)
    ]


def measure(label: str, render_one: Callable[[int], object], seconds: float) -> float:
    render_one(0)  # warm-up
    done, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(100):
            render_one(done)
            done += 1
        now = time.perf_counter()
        if now >= deadline:
            break
    rate = done / (now - started)
    print(f"  {label:<44} {rate:>10,.0f} renders/s  ({1e6 / rate:,.1f} µs each)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import jinja2

    from campaigns.rendering import MessageRenderer, campaign_context_build, creator_context_build
    from campaigns.rendering.check import environment_for
    from campaigns.rendering.fields import CHANNEL_FIELDS

    rows = creator_rows(5000)
    campaign = campaign_context_build(
        {"id": 42, "name": "Reto LIVE de verano", "send_at": datetime(2025, 7, 1, tzinfo=UTC)}
    )
    plain_env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)
    plain_env.filters.update(environment_for(CHANNEL_FIELDS["push"]["title"]).filters)

    for channel, fields in (("push", PUSH), ("email", EMAIL)):
        print(f"{channel}:")
        renderer = MessageRenderer(channel, fields)

        def compiled(i: int, renderer: MessageRenderer = renderer) -> object:
            return renderer.render(
                creator=creator_context_build(rows[i % len(rows)]),
                campaign=campaign,
                links=BenchLinks(i),
            )

        def naive(i: int, channel: str = channel, fields: dict = fields) -> object:
            return MessageRenderer(channel, fields).render(
                creator=creator_context_build(rows[i % len(rows)]),
                campaign=campaign,
                links=BenchLinks(i),
            )

        plain = {name: plain_env.from_string(source) for name, source in fields.items() if source}

        def bare(i: int, plain: dict = plain) -> object:
            links = BenchLinks(i)
            context = {
                "creator": creator_context_build(rows[i % len(rows)]),
                "campaign": campaign,
                "link": links.track,
                "learn": links.learn,
                "preferences_url": links.preferences,
                "unsubscribe_url": links.unsubscribe,
            }
            return {name: template.render(context) for name, template in plain.items()}

        rate = measure("MessageRenderer (compiled once, sandboxed)", compiled, args.seconds)
        naive_rate = measure("baseline: compile per render", naive, args.seconds)
        bare_rate = measure("baseline: plain Jinja, no post-steps", bare, args.seconds)
        print(
            f"  → {rate / naive_rate:.1f}x the compile-per-render baseline, "
            f"{rate / bare_rate:.2f}x plain unsandboxed Jinja"
        )


if __name__ == "__main__":
    main()
