"""The demo's playbooks (`manage.py seed_demo`): strategies seen in Brazil and the United
States, saved through the service, so the library, the comparison and "adapt for Mexico"
have something to show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from markets.models import Playbook
from markets.services import playbook_save
from markets.steps import steps_parse

PLAYBOOKS: tuple[dict[str, Any], ...] = (
    {
        "market_id": "BR",
        "title": "Missão semanal com lembrete no WhatsApp",
        "kind": "mission",
        "steps": "whatsapp@0:announce;push@3:remind;email@6:recap",
        "cadence": "semanal",
        "content_formats": "vídeos curtos, LIVE",
        "incentive": "Bônus de comissão de 5 % para quem cumprir a meta.",
        "audience": "Criadores de nível 2 e 3",
        "open_rate": Decimal("48.5"),
        "click_rate": Decimal("12.1"),
        "completion_rate": Decimal("35"),
        "uplift": Decimal("18"),
        "results_source": "Shop BR creator report",
        "results_date": date(2026, 5, 1),
        "notes": "Notas de voz curtas no WhatsApp funcionaram melhor que texto.",
        "tags": ["whatsapp", "missões"],
        "applicability": 4,
    },
    {
        "market_id": "BR",
        "title": "Desafio de vendas ao vivo",
        "kind": "competition",
        "steps": "whatsapp@0:announce;whatsapp@5:leaderboard;push@9:last call",
        "cadence": "quinzenal",
        "content_formats": "LIVE",
        "incentive": "Prêmios para os 10 primeiros do ranking.",
        "open_rate": Decimal("55"),
        "click_rate": Decimal("16.4"),
        "uplift": Decimal("9"),
        "results_source": "Relatório interno",
        "results_date": date(2026, 8, 15),
        "tags": ["live", "ranking"],
        "applicability": 5,
    },
    {
        "market_id": "US",
        "title": "Creator onboarding email course",
        "kind": "education",
        "steps": "email@0:welcome;email@2:lesson;email@5:lesson;push@7:quiz",
        "cadence": "one-off, 7 days",
        "content_formats": "guides, short videos",
        "incentive": "Free sample box after the last lesson.",
        "audience": "New creators in their first 30 days",
        "open_rate": Decimal("62"),
        "click_rate": Decimal("21.3"),
        "completion_rate": Decimal("41"),
        "uplift": Decimal("12"),
        "results_source": "US creator success team",
        "results_date": date(2026, 3, 20),
        "notes": "Short lessons, one action each.",
        "tags": ["onboarding", "email"],
        "applicability": 3,
    },
)


@transaction.atomic
def playbooks_demo_create() -> int:
    """The demo playbooks that do not exist yet; returns how many were added."""
    created = 0
    for spec in PLAYBOOKS:
        if Playbook.objects.filter(market_id=spec["market_id"], title=spec["title"]).exists():
            continue
        playbook_save(playbook=None, actor=None, **{**spec, "steps": steps_parse(spec["steps"])})
        created += 1
    return created
