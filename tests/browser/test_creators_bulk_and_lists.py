"""In Chromium: an ops manager filters creators, selects them, tags them, adds them to a new
list, and builds a list by pasting handles, without the admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from creators.models import Creator
from segments.models import Segment, SegmentMember
from tests.support.browser import shot
from tests.support.factories import creator_make

pytestmark = pytest.mark.browser


def member_handles(name: str) -> list[str]:
    segment = Segment.objects.get(name=name)
    ids = SegmentMember.objects.filter(segment=segment).values("creator_id")
    return sorted(Creator.objects.filter(pk__in=ids).values_list("handle", flat=True))


def test_select_tag_and_add_to_a_list(page, login_as):
    for index in range(55):  # more than a page: "select all matching" goes past it
        creator_make(f"jal_{index:02d}", state="JAL", followers=index * 100)
    creator_make("sonora", state="SON")
    login_as("manager")

    page.goto("/creators/")
    page.get_by_label("State").select_option("JAL")
    page.get_by_label("Sort by").select_option("followers")
    expect(page.locator("#creator-results tbody tr").first).to_contain_text("@jal_54")
    shot(page, "filtered-and-sorted")

    # Two ticked rows get a tag.
    page.get_by_label("Select @jal_54").check()
    page.get_by_label("Select @jal_53").check()
    page.locator("#bulk-tag").fill("top")
    page.locator("#bulk-tag-submit").click()
    expect(page.get_by_text("Tagged 2 creators “top”.")).to_be_visible()
    shot(page, "two-tagged")
    assert sorted(
        Creator.objects.filter(tags__contains=["top"]).values_list("handle", flat=True)
    ) == ["jal_53", "jal_54"]

    # Every creator the filter matches goes onto a new list, the second page included.
    page.locator("#bulk-all-matching").check()
    expect(page.get_by_label("Select @jal_10")).to_be_checked()
    page.locator("#bulk-list-name").fill("Jalisco julio")
    page.locator("#bulk-list-submit").click()
    expect(page.get_by_text("Added 55 creators to “Jalisco julio”.")).to_be_visible()
    shot(page, "added-to-list")
    assert len(member_handles("Jalisco julio")) == 55
    assert "sonora" not in member_handles("Jalisco julio")


def test_build_a_list_by_pasting_handles(page, login_as):
    for handle in ("ana", "beto", "carla"):
        creator_make(handle)
    login_as("editor")
    page.goto("/segments/")
    page.locator("#list-new").click()
    page.get_by_label("Name").fill("Pegada")
    page.locator("#list-handles").fill("@ANA, Beto\nfantasma\ncarla")
    shot(page, "pasted")
    page.locator("#list-create").click()
    expect(page.locator("#list-result")).to_contain_text("made with 3 creators")
    expect(page.locator("#list-unknown")).to_contain_text("fantasma")
    shot(page, "list-made")
    page.locator("#list-open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pegada")
    assert member_handles("Pegada") == ["ana", "beto", "carla"]
