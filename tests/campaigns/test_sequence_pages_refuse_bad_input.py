"""The sequence pages never answer 500: bad ids are 404, bad forms 400 with the errors, a step
that ran is shown read-only and refuses changes; only ops who may change campaigns get in."""

import pytest

from campaigns import sequences
from campaigns.models import SequenceStep
from tests.campaigns.sequence_rig import campaign_with_creators, launch, step_messages
from tests.support.factories import campaign_make

GOOD = {
    "channel": "inbox",
    "condition": "all",
    "wait_days": "0",
    "wait_hours": "1",
    "es-MX-title": "Hola",
    "es-MX-body": "Hola",
}


@pytest.mark.parametrize(
    "change",
    [
        {"wait_days": "abc"},
        {"wait_days": "-1"},
        {"wait_hours": "24"},
        {"wait_days": ""},
        {"channel": "fax"},
        {"condition": "nope"},
        {"local_time": "25:99"},
        {"condition": "segment", "rules": "["},
        {"condition": "segment", "rules": "[1, 2]"},
        {"condition": "segment", "rules": '{"nope": 1}'},
        {"es-MX-title": "", "es-MX-body": ""},
        {"es-MX-body": "{{ creator.first_name"},
    ],
)
def test_a_bad_step_form_is_a_400_and_saves_nothing(db, role_client, change):
    campaign = campaign_make(channels=("inbox",))
    answer = role_client("editor").post(
        f"/campaigns/{campaign.pk}/sequence/steps/new/", {**GOOD, **change}
    )
    assert answer.status_code == 400
    assert (
        'class="errorlist' in answer.content.decode() or 'class="error"' in answer.content.decode()
    )
    assert not SequenceStep.objects.filter(campaign=campaign).exists()


def test_bad_ids_are_404_and_bad_actions_400(db, role_client):
    campaign = campaign_make(channels=("inbox",))
    other = campaign_make(channels=("inbox",), name="Otra")
    step = sequences.sequence_step_save(
        campaign=other, channel="inbox", wait_minutes=0, messages=step_messages("x")
    )
    client = role_client("manager")
    assert client.get("/campaigns/999999/sequence/steps/new/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/sequence/steps/999999/edit/").status_code == 404
    # A step of another campaign is not this campaign's.
    assert client.get(f"/campaigns/{campaign.pk}/sequence/steps/{step.pk}/edit/").status_code == 404
    assert (
        client.post(f"/campaigns/{campaign.pk}/sequence/{step.pk}/", {"action": "remove"})
    ).status_code == 404
    assert (
        client.post(f"/campaigns/{other.pk}/sequence/{step.pk}/", {"action": "explode"})
    ).status_code == 400
    sequences.sequence_step_remove(step=step)
    assert client.get(f"/campaigns/{other.pk}/sequence/steps/{step.pk}/edit/").status_code == 404
    preview = f"/campaigns/{campaign.pk}/sequence/steps/preview/"
    assert client.post(preview, {"channel": "fax", "preview_locale": "en"}).status_code == 400
    assert client.post(preview, {"channel": "push", "preview_locale": "xx"}).status_code == 400
    assert client.get(preview).status_code == 405
    assert (
        client.post(
            f"/campaigns/{campaign.pk}/sequence/steps/new/", {"refresh": "1", "channel": "fax"}
        )
    ).status_code == 200


def test_a_step_that_ran_is_shown_read_only_and_refuses_changes(transactional_db, role_client):
    campaign, _index = campaign_with_creators(3)
    step = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=0, messages=step_messages("Hola")
    )
    launch(campaign)
    assert sequences.steps_due_run(now=campaign.launched_at) == 1
    client = role_client("editor")
    url = f"/campaigns/{campaign.pk}/sequence/steps/{step.pk}/edit/"

    shown = client.get(url).content.decode()
    assert 'id="step-read-only"' in shown and 'id="step-save"' not in shown
    refused = client.post(url, {**GOOD, "es-MX-title": "Otra"})
    assert refused.status_code == 400 and 'id="step-error"' in refused.content.decode()
    removed = client.post(f"/campaigns/{campaign.pk}/sequence/{step.pk}/", {"action": "remove"})
    assert removed.status_code == 302
    step.refresh_from_db()
    assert not step.removed and step.wait_minutes == 0


@pytest.mark.parametrize(
    "path",
    ["sequence/", "sequence/steps/new/", "sequence/steps/{step}/edit/"],
)
def test_only_those_who_may_change_campaigns_edit_a_sequence(db, role_client, client, path):
    campaign = campaign_make(channels=("inbox",))
    step = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=0, messages=step_messages("x")
    )
    url = f"/campaigns/{campaign.pk}/{path.format(step=step.pk)}"
    analyst = role_client("analyst")
    assert analyst.get(url).status_code == 403
    assert analyst.post(url, GOOD).status_code == 403
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert role_client("editor").get(url).status_code == 200
    preview = f"/campaigns/{campaign.pk}/sequence/steps/preview/"
    assert analyst.post(preview, {"channel": "push"}).status_code == 403
    assert SequenceStep.objects.filter(campaign=campaign).count() == 1
