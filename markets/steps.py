"""A playbook's channel sequence as one line: `whatsapp@0:announce;push@3:remind;email@6:recap`.

Each step is `channel@day:purpose` (the purpose may be left out); days are offsets from the
first send, so the first step is day 0 and the days never go back. Channels are the ones
Altavoz sends on (email, whatsapp, push, inbox)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from creators.models import Channel
from markets.exceptions import StepsInvalid

MAX_DAY = 365


def steps_parse(text: str) -> list[dict[str, Any]]:
    """The steps of `text`, or StepsInvalid naming the step and what is wrong with it."""
    steps: list[dict[str, Any]] = []
    parts = [part.strip() for part in (text or "").split(";") if part.strip()]
    if not parts:
        raise StepsInvalid(_("Give at least one step, e.g. whatsapp@0:announce."))
    for number, part in enumerate(parts, start=1):
        head, _colon, purpose = part.partition(":")
        channel, at, day_text = head.partition("@")
        channel = channel.strip().lower()
        where = _("step %(number)d (“%(step)s”)") % {"number": number, "step": part}
        if channel not in Channel.values:
            raise StepsInvalid(
                _("%(where)s: unknown channel “%(channel)s”; use one of %(known)s.")
                % {"where": where, "channel": channel, "known": ", ".join(Channel.values)}
            )
        if not at or not day_text.strip().isdigit():
            raise StepsInvalid(
                _("%(where)s: write the day after @ as a whole number.") % {"where": where}
            )
        day = int(day_text)
        if day > MAX_DAY:
            raise StepsInvalid(
                _("%(where)s: day %(day)d is more than a year out.") % {"where": where, "day": day}
            )
        if steps and day < steps[-1]["day"]:
            raise StepsInvalid(
                _("%(where)s: day %(day)d comes before the previous step's day.")
                % {"where": where, "day": day}
            )
        steps.append({"channel": channel, "day": day, "purpose": purpose.strip()[:80]})
    if steps[0]["day"] != 0:
        raise StepsInvalid(_("The first step is the first send: make it day 0."))
    return steps


def steps_format(steps: list[dict[str, Any]]) -> str:
    return ";".join(
        f"{step['channel']}@{step['day']}" + (f":{step['purpose']}" if step.get("purpose") else "")
        for step in steps
    )
