import pytest

from creators.models import ConsentChange, Creator
from tests.support.factories import creator_make
from tracking.tokens import portal_token_make

pytestmark = pytest.mark.django_db


def test_preference_changes_land_in_consent_history(portal_client):
    creator = creator_make("carla", consent_whatsapp="denied")
    client = portal_client(creator)
    before = ConsentChange.objects.count()
    response = client.post(
        "/me/preferences/",
        {
            "channel_email": "",
            "channel_whatsapp": "on",
            "channel_push": "",
            "channel_inbox": "on",
            "locale": "en",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "08:00",
        },
    )
    assert response.status_code == 200 and 'id="saved"' in response.content.decode()
    creator = Creator.objects.get(pk=creator.pk)
    assert (creator.consent_email, creator.consent_whatsapp, creator.consent_push) == (
        "denied",
        "granted",
        "denied",
    )
    assert creator.locale == "en"
    assert str(creator.quiet_hours_start) == "22:00:00"
    changes = ConsentChange.objects.filter(creator=creator).order_by("id")[before:]
    assert {(c.channel, c.status, c.source) for c in changes} == {
        ("email", "denied", "preferences"),
        ("whatsapp", "granted", "preferences"),
        ("push", "denied", "preferences"),  # was unknown
    }
    # The page now speaks the chosen language.
    assert '<html lang="en"' in response.content.decode()


def test_half_quiet_hours_is_refused(portal_client):
    client = portal_client(creator_make("dora"))
    response = client.post("/me/preferences/", {"locale": "es-MX", "quiet_hours_start": "22:00"})
    assert response.status_code == 400
    assert Creator.objects.get(handle="dora").quiet_hours_start is None


def test_preferences_link_from_a_message_opens_the_preference_center(client):
    from tests.support.factories import delivery_make

    creator = creator_make("elena")
    token = portal_token_make(delivery_id=delivery_make(creator).pk)
    response = client.get(f"/me/preferences/{token}/", follow=True)
    assert response.redirect_chain[-1][0] == "/me/preferences/"
    assert 'id="preferences"' in response.content.decode()
