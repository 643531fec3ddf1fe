"""Reading the platform's cases and their events: visibility, filters, cursor pages, query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent, TakedownCase
from takedowns.transitions import case_transition

pytestmark = pytest.mark.django_db

LIST = reverse("api:case-list")
EVENTS = reverse("api:events")


def detail(case):
    return reverse("api:case-detail", args=[case.reference])


def references(response):
    return [row["reference"] for row in response.json()["results"]]


def test_liaison_sees_only_cases_that_reached_the_platform(case_in, liaison_api):
    hidden = [case_in(S.DRAFT), case_in(S.DIP_REVIEW), case_in(S.READY_TO_FORWARD)]
    shown = [case_in(S.FORWARDED), case_in(S.UNDER_PLATFORM_REVIEW), case_in(S.REMOVED)]
    response = liaison_api.get(LIST)
    assert response.status_code == 200
    assert sorted(references(response)) == sorted(c.reference for c in shown)
    for case in hidden:
        refused = liaison_api.get(detail(case))
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    body = liaison_api.get(detail(shown[0])).json()
    assert body["reference"] == shown[0].reference and len(body["items"]) == 1
    assert "internal_note" not in body and "assigned_officer" not in body


def test_unknown_and_malformed_references_are_404(liaison_api):
    for reference in ("TD-2026-999999", "nonsense", "TD-2026-00000%00"):
        assert liaison_api.get(f"/api/v1/cases/{reference}/").status_code == 404


def test_filter_by_state_and_updated_since(case_in, liaison_api):
    forwarded = case_in(S.FORWARDED)
    removed = case_in(S.REMOVED)
    assert references(liaison_api.get(LIST, {"state": "removed"})) == [removed.reference]
    TakedownCase.objects.filter(pk=forwarded.pk).update(
        updated_at=timezone.now() - timedelta(days=3)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert references(liaison_api.get(LIST, {"updated_since": since})) == [removed.reference]


@pytest.mark.parametrize(
    "params",
    [{"state": "bogus"}, {"updated_since": "yesterday"}, {"limit": "0"}, {"limit": "9999"}],
)
def test_bad_filters_are_400(params, liaison_api):
    response = liaison_api.get(LIST, params)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_bad_cursor_is_400(liaison_api):
    response = liaison_api.get(LIST, {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_cursor"


def test_cursor_pages_walk_every_case_once_in_update_order(case_in, liaison_api):
    cases = [case_in(S.FORWARDED) for _ in range(7)]
    base = timezone.now() - timedelta(hours=1)
    for n, case in enumerate(cases):  # two share a timestamp: the id breaks the tie
        TakedownCase.objects.filter(pk=case.pk).update(updated_at=base + timedelta(minutes=n // 2))
    seen, url = [], LIST + "?limit=2"
    while url:
        body = liaison_api.get(url).json()
        seen += [row["reference"] for row in body["results"]]
        url = body["next"]
    assert seen == [c.reference for c in cases]


def count_queries(api, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url, params or {}).status_code == 200
    return len(captured)


def test_case_list_query_count_is_independent_of_rows_and_page_size(case_in, liaison_api):
    for _ in range(3):
        case_in(S.FORWARDED, items=2)
    few = count_queries(liaison_api, LIST)
    for _ in range(12):
        case_in(S.FORWARDED, items=2)
    assert count_queries(liaison_api, LIST) == few
    assert count_queries(liaison_api, LIST, {"limit": 2}) == few
    assert count_queries(liaison_api, LIST, {"limit": 200}) == few


def test_case_detail_query_count_is_independent_of_items(case_in, liaison_api):
    one = case_in(S.FORWARDED, items=1)
    many = case_in(S.FORWARDED, items=8)
    assert count_queries(liaison_api, detail(one)) == count_queries(liaison_api, detail(many))


def test_event_feed_follows_a_cursor_and_hides_dip_internal_steps(case_in, liaison_api, liaison):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    case_in(S.DIP_REVIEW)  # never reached the platform: none of its events show
    body = liaison_api.get(EVENTS).json()
    assert [(e["from_state"], e["to_state"]) for e in body["results"]] == [
        ("ready_to_forward", "forwarded"),
        ("forwarded", "under_platform_review"),
    ]
    assert {e["case"] for e in body["results"]} == {case.reference}
    assert body["has_more"] is False
    # Nothing new: the cursor stays where it is.
    again = liaison_api.get(EVENTS, {"after": body["after"]}).json()
    assert again == {"results": [], "after": body["after"], "has_more": False}
    # A decision shows up after the cursor.
    case_transition(case=case, to_state=S.REMOVED, actor=liaison)
    later = liaison_api.get(EVENTS, {"after": body["after"]}).json()
    # the item the decision removed (its own event), then the case's decision
    assert [(e["item"], e["item_outcome"], e["to_state"]) for e in later["results"]] == [
        (case.items.get().pk, "removed", "under_platform_review"),
        (None, None, "removed"),
    ]
    assert later["after"] > body["after"]


def test_event_feed_pages(case_in, liaison_api):
    for _ in range(3):
        case_in(S.UNDER_PLATFORM_REVIEW)
    first = liaison_api.get(EVENTS, {"limit": 4}).json()
    assert len(first["results"]) == 4 and first["has_more"] is True
    rest = liaison_api.get(EVENTS, {"after": first["after"], "limit": 4}).json()
    assert len(rest["results"]) == 2 and rest["has_more"] is False
    ids = [e["id"] for e in first["results"] + rest["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 6


def test_event_feed_query_count_is_independent_of_page_size(case_in, liaison_api):
    for _ in range(6):
        case_in(S.UNDER_PLATFORM_REVIEW)
    small = count_queries(liaison_api, EVENTS, {"limit": 2})
    assert count_queries(liaison_api, EVENTS, {"limit": 500}) == small


@pytest.mark.parametrize("params", [{"after": "-1"}, {"after": "x"}, {"limit": "501"}])
def test_event_feed_bad_params(params, liaison_api):
    assert liaison_api.get(EVENTS, params).status_code == 400


def test_event_count_sanity(case_in):
    case_in(S.FORWARDED)
    assert StatusEvent.objects.count() == 4  # created + 3 steps


def test_case_carries_the_english_summary_dip_wrote(case_in, liaison_api):
    """Issue 25, item 3: the platform reads DIP's English summary of each case."""
    case = case_in(S.FORWARDED, summary_en="Fake Thung Kula rice on three listings.")
    body = liaison_api.get(detail(case)).json()
    assert body["summary_en"] == "Fake Thung Kula rice on three listings."
