import pytest

from education import services
from education.exceptions import ContentNotReady, TransitionNotAllowed
from education.models import ContentItem
from tests.support.factories import lesson_make

pytestmark = pytest.mark.django_db


def test_item_goes_draft_review_published_archived():
    item = lesson_make("ciclo", publish=False)
    for status in ("in_review", "published", "archived", "draft"):
        item = services.content_item_transition(item=item, status=status)
        assert ContentItem.objects.get(pk=item.pk).status == status
    assert item.published_at is not None


def test_draft_cannot_jump_to_published():
    item = lesson_make("salto", publish=False)
    with pytest.raises(TransitionNotAllowed):
        services.content_item_transition(item=item, status="published")
    assert ContentItem.objects.get(pk=item.pk).status == "draft"


def test_item_without_spanish_version_is_not_published():
    item = ContentItem.objects.create(slug="solo-ingles", kind="faq", topic="policies")
    services.content_version_save(item=item, locale="en", title="Only English")
    services.content_item_transition(item=item, status="in_review")
    with pytest.raises(ContentNotReady):
        services.content_item_transition(item=item, status="published")
