"""The builder's preview partial: the count and a sample for a tree, the parser's error and
its path for a bad one."""

import json

from creators.models import Creator


def test_preview_shows_count_and_sample(role_client, varied_creators):
    rules = {
        "all": [
            {"field": "level", "op": "gte", "value": 3},
            {"field": "state", "op": "eq", "value": "JAL"},
        ]
    }
    expected = Creator.objects.filter(level__gte=3, state="JAL")
    response = role_client("editor").post("/segments/preview/", {"rules": json.dumps(rules)})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<strong data-testid="segment-count">{expected.count()}</strong>' in page
    sample = response.context["preview"].sample
    assert 0 < len(sample) <= 10
    assert len(sample) == min(10, expected.count())
    handles = set(expected.values_list("handle", flat=True))
    for row in sample:
        assert row["handle"] in handles
        assert f"@{row['handle']}" in page
        assert row["level"] >= 3 and row["state"] == "JAL"
        assert row["state_name"] == "Jalisco"


def test_preview_shows_the_error_path_for_a_bad_tree(role_client, varied_creators):
    rules = {
        "any": [
            {"field": "level", "op": "gte", "value": 1},
            {"field": "tags", "op": "gt", "value": 1},
        ]
    }
    response = role_client("editor").post("/segments/preview/", {"rules": json.dumps(rules)})
    page = response.content.decode()
    assert 'data-testid="segment-preview-error-path">any[1].op<' in page
    assert "does not apply to tags field" in page
    assert 'data-testid="segment-count"' not in page


def test_preview_reports_broken_json(role_client, db):
    response = role_client("editor").post("/segments/preview/", {"rules": "{"})
    page = response.content.decode()
    assert "The rules are not valid JSON" in page
    assert 'data-testid="segment-count"' not in page


def test_preview_of_no_rules_counts_everyone(role_client, varied_creators):
    response = role_client("editor").post("/segments/preview/", {"rules": '{"all": []}'})
    assert f'data-testid="segment-count">{len(varied_creators)}<' in response.content.decode()
