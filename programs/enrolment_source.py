"""How campaigns' sequence conditions see who is enrolled (registered in ProgramsConfig)."""

from __future__ import annotations

from django.db.models import QuerySet

from campaigns.models import Campaign
from campaigns.sequence_conditions import EnrolmentSource
from programs.models import Enrolment, Program


def _exists_sql(campaign: Campaign, alias: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {Enrolment._meta.db_table} en JOIN {Program._meta.db_table} p"
        f" ON p.id = en.program_id WHERE p.campaign_id = {int(campaign.pk)}"
        f" AND en.creator_id = {alias}.creator_id)"
    )


def _creator_ids(campaign: Campaign) -> QuerySet:
    return Enrolment.objects.filter(program__campaign=campaign).values("creator_id")


ENROLMENT_SOURCE = EnrolmentSource(exists_sql=_exists_sql, creator_ids=_creator_ids)
