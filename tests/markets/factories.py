"""Playbooks for the markets tests, made through the real parser."""

from markets.models import Playbook
from markets.steps import steps_parse


def playbook_make(
    *,
    market: str = "BR",
    title: str = "Recordatorio de misión",
    kind: str = "mission",
    steps: str = "whatsapp@0:announce;push@3:remind;email@6:recap;push@9:last call",
    **fields,
) -> Playbook:
    return Playbook.objects.create(
        market_id=market, title=title, kind=kind, steps=steps_parse(steps), **fields
    )
