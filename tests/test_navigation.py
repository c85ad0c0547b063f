"""The menu (config/navigation.py): grouped by job, filtered by role, current page marked."""

from config.navigation import navigation_for
from tests.support.factories import user_make


def _current(sections) -> list[str]:
    return [str(link.label) for s in sections for link in s.links if link.current]


def test_groups_follow_the_job_and_the_longest_match_is_current(db):
    manager = user_make("nav-manager", role="manager")
    sections = navigation_for(user=manager, path="/programs/calendar/", counts={})
    assert [str(s.label) for s in sections][:6] == [
        "Overview",
        "Audience",
        "Messaging",
        "Programs",
        "Partners",
        "Insights",
    ]
    assert _current(sections) == ["Calendar"]
    assert _current(navigation_for(user=manager, path="/", counts={})) == ["Home"]
    assert _current(navigation_for(user=manager, path="/campaigns/7/", counts={})) == ["Campaigns"]


def test_a_user_without_roles_sees_only_home_and_badges_carry_their_count(db):
    nobody = user_make("nav-nobody")
    sections = navigation_for(user=nobody, path="/creators/", counts={})
    assert [str(link.label) for s in sections for link in s.links] == ["Home"]

    analyst = user_make("nav-analyst", role="analyst")
    sections = navigation_for(
        user=analyst, path="/conversations/", counts={"conversations_unread": 3}
    )
    (link,) = [link for s in sections for link in s.links if link.item_id == "conversations-link"]
    assert link.current and link.badge == 3 and "3 conversations" in link.badge_label
