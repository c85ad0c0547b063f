"""The sequence page: an editor adds and removes steps (htmx); the campaign page shows the flow."""

from campaigns.models import SequenceStep
from tests.support.factories import campaign_make, creators_make


def test_editor_adds_a_step_and_sees_it_on_both_pages(db, role_client):
    creators_make(3)
    campaign = campaign_make(channels=("inbox",))
    client = role_client("editor")
    page = client.get(f"/campaigns/{campaign.pk}/sequence/")
    assert page.status_code == 200

    added = client.post(
        f"/campaigns/{campaign.pk}/sequence/",
        {
            "channel": "inbox",
            "wait_hours": "72",
            "condition": "not_opened",
            "title": "¿Lo viste?",
            "body": "Hola {{ creator.first_name }}",
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="steps",
    )

    assert added.status_code == 200
    step = SequenceStep.objects.get(campaign=campaign)
    assert (step.wait_minutes, step.condition) == (72 * 60, "not_opened")
    assert step.position == 1 and "¿Lo viste?" not in added.content.decode()
    assert "Has not opened" in added.content.decode() or "abierto" in added.content.decode()
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="sequence-flow"' in detail
    client.post(f"/campaigns/{campaign.pk}/sequence/{step.pk}/", {"action": "remove"})
    assert SequenceStep.objects.get(pk=step.pk).removed


def test_analyst_cannot_edit_a_sequence(db, role_client):
    campaign = campaign_make(channels=("inbox",))
    assert role_client("analyst").get(f"/campaigns/{campaign.pk}/sequence/").status_code == 403


def test_preview_counts_what_each_step_would_reach_before_and_after_launch(db, role_client):
    from campaigns import sequences
    from creators.models import Creator

    creators = creators_make(10)
    Creator.objects.filter(pk=creators[0].pk).update(consent_push="denied")
    campaign = campaign_make(channels=("inbox",))
    push = sequences.sequence_step_save(
        campaign=campaign,
        channel="push",
        wait_minutes=60,
        condition="not_opened",
        messages=[{"locale": "es-MX", "title": "Hola", "body": "Hola"}],
    )
    page = role_client("editor").get(f"/campaigns/{campaign.pk}/sequence/").content.decode()
    assert '<td class="would-reach">9</td>' in page  # one creator cannot get push

    refused = role_client("manager").post(
        f"/campaigns/{campaign.pk}/sequence/",
        {
            "channel": "inbox",
            "wait_hours": "1",
            "condition": "segment",
            "rules": '{"nope": 1}',
            "title": "x",
            "body": "y",
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="steps",
    )
    assert refused.status_code == 200 and 'class="errorlist' in refused.content.decode()
    assert sequences.steps_live(campaign=campaign) == [push]
