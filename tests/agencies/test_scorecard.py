"""The agency page's scorecard: the campaigns and lessons built from an agency's approved
deliverables, with their rates and the campaign's measured outcome against its holdout."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from agencies.models import Deliverable
from campaigns.models import Campaign
from education.models import LearningProgress
from tests.outcomes.conftest import measured, outcome_cache_empty  # noqa: F401 (fixtures)
from tests.support.factories import (
    agency_make,
    brief_make,
    client_for,
    lesson_make,
    user_make,
)


def test_scorecard_shows_what_the_agency_content_drove(measured):  # noqa: F811
    campaign = measured.campaign
    launched = datetime.combine(
        timezone.localdate() - timedelta(days=20), time(10), timezone.get_current_timezone()
    )
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=launched)
    manager = user_make("gerente", role="manager")
    brief = brief_make(agency=agency_make("Lumen"), author=manager, campaign=campaign)
    lesson = lesson_make("vender-en-vivo")
    brief.education_slug = lesson.slug
    brief.save(update_fields=["education_slug"])
    Deliverable.objects.filter(brief=brief).update(
        status=Deliverable.Status.APPROVED, approved_at=timezone.now()
    )
    creators = list(campaign.deliveries.values_list("creator_id", flat=True)[:4])
    for index, creator_id in enumerate(creators):
        LearningProgress.objects.create(
            creator_id=creator_id,
            item=lesson,
            completed_at=timezone.now() if index == 0 else None,
        )
    brief_make(agency=agency_make("Sin aprobar"), author=manager, title="Otro")

    page = client_for(manager).get("/agencies/").content.decode()

    card = page.split('id="scorecard"')[1].split("</section>")[0]
    row = card.split(f'data-campaign="{campaign.pk}"')[1].split("</tr>")[0]
    effect = row.split('data-figure="effect">')[1].split("</td>")[0]
    assert "(" in effect and "–" in effect  # the estimate and its interval
    lesson_row = card.split(f'data-lesson="{lesson.pk}"')[1].split("</tr>")[0]
    assert "25.0 %" in lesson_row
    assert "Sin aprobar" not in card  # no approved deliverable, nothing to score
