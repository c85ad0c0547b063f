import pytest

from channels.models import InboxMessage
from tests.support.factories import creator_make, inbox_message_make
from tracking.models import Event

pytestmark = pytest.mark.django_db


def test_unread_first_and_opening_records_the_open(portal_client):
    creator = creator_make("gaby")
    old = inbox_message_make(creator, title="Leído antes")
    new = inbox_message_make(creator, title="Nuevo aviso")
    client = portal_client(creator)
    client.get(f"/me/inbox/{old.pk}/")
    InboxMessage.objects.filter(pk=new.pk).update(created_at=old.created_at)  # same age

    inbox = client.get("/me/").content.decode()
    assert inbox.index("Nuevo aviso") < inbox.index("Leído antes")

    page = client.get(f"/me/inbox/{new.pk}/").content.decode()
    assert 'id="cta"' in page and "https://shop.example/m/1" in page
    assert InboxMessage.objects.get(pk=new.pk).read_at is not None
    opened = Event.objects.filter(delivery_id=new.delivery_id, kind="opened", source="inbox")
    assert opened.count() == 1
    client.get(f"/me/inbox/{new.pk}/")
    assert opened.count() == 1  # once
