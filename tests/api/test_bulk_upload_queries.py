"""The decision sheet's whole-case rows go through one batch: its queries do not grow per row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.api.bulk import COLUMNS
from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent, TakedownCase

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_decisionupload_add")


def _sheet(cases):
    lines = [",".join(COLUMNS)]
    for n, case in enumerate(cases):
        decision = "removed" if n % 2 else "already_unavailable"
        lines.append(f"{case.reference},,IPPC-{case.pk},{decision},,,")
    return SimpleUploadedFile("d.csv", ("\r\n".join(lines) + "\r\n").encode())


@pytest.mark.requires_postgres(
    "the batch writes are PostgreSQL's (UPDATE ... FROM unnest); elsewhere one UPDATE per row"
)
def test_upload_queries_do_not_grow_with_rows(case_in, liaison, client_for):
    client = client_for(liaison)

    def count(n):
        cases = [case_in(S.UNDER_PLATFORM_REVIEW, items=2) for _ in range(n)]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(ADD, {"file": _sheet(cases)}, follow=True)
        outcomes = {row["outcome"] for row in response.context["rows"]}
        assert outcomes == {"changed"}, response.context["rows"]
        assert set(
            TakedownCase.objects.filter(pk__in=[c.pk for c in cases]).values_list(
                "state", flat=True
            )
        ) == {S.REMOVED, S.ALREADY_UNAVAILABLE}
        return len(captured)

    assert count(3) == count(25)


@pytest.mark.requires_postgres(
    "the batch writes are PostgreSQL's (UPDATE ... FROM unnest, COPY); elsewhere one per row"
)
def test_ten_or_a_hundred_rows_cost_the_same_queries_implied_steps_too(
    case_in, liaison, client_for
):
    """Issue 23: cases under review and forwarded cases (whose decision passes through the
    platform's review, a step of its own) are read, locked and written a batch at a time."""
    client = client_for(liaison)

    def count(n):
        cases = [
            case_in(S.FORWARDED if k % 2 else S.UNDER_PLATFORM_REVIEW, items=2) for k in range(n)
        ]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(ADD, {"file": _sheet(cases)}, follow=True)
        outcomes = {row["outcome"] for row in response.context["rows"]}
        assert outcomes == {"changed"}, response.context["rows"]
        for k, case in enumerate(cases):
            steps = list(
                case.events.filter(item=None).order_by("-id").values_list("from_state", "to_state")
            )
            decided = S.REMOVED if k % 2 else S.ALREADY_UNAVAILABLE
            assert steps[0] == (S.UNDER_PLATFORM_REVIEW, decided)
            if k % 2:  # forwarded: the review step came first, in the liaison's name
                assert steps[1] == (S.FORWARDED, S.UNDER_PLATFORM_REVIEW)
                review = case.history.filter(state=S.UNDER_PLATFORM_REVIEW).latest()
                assert review.history_user == liaison
            assert case.items.filter(outcome=decided).count() == 2
        return len(captured)

    assert count(10) == count(100)


def _item_sheet(rows):
    """A sheet of ``(item, outcome, reason_code, note)`` rows on items, by URL."""
    lines = [",".join(COLUMNS)]
    for item, outcome, reason, note in rows:
        lines.append(f"{item.case.reference},{item.url},,{outcome},,{reason},{note}")
    return SimpleUploadedFile("items.csv", ("\r\n".join(lines) + "\r\n").encode())


def _log(case, since):
    """What a case's decisions wrote: its events after ``since``, its state, its history rows."""
    events = [
        (
            event.item.url if event.item else None,
            event.from_state,
            event.to_state,
            event.item_outcome,
            event.reason_code.code if event.reason_code else "",
            event.note,
            event.actor.username,
        )
        for event in case.events.filter(id__gt=since).select_related("item", "reason_code", "actor")
    ]
    case.refresh_from_db()
    items = sorted(
        (item.url, item.outcome, item.outcome_reason_id, item.history.count())
        for item in case.items.all()
    )
    return events, case.state, case.history.count(), items


PLAN = [  # per case, the outcome of each of its three items: (outcome, reason, note)
    [("removed", "", ""), ("not_removed", "no_infringement", "genuine"), ("removed", "", "")],
    [
        ("not_removed", "no_infringement", "a"),
        ("not_removed", "no_infringement", "b"),
        ("already_unavailable", "", ""),
    ],
    [("removed", "", "only one decided")],
]


@pytest.mark.requires_postgres("COPY and UPDATE ... FROM unnest")
def test_item_rows_in_a_batch_write_what_one_at_a_time_writes(case_in, liaison, client_for):
    """Issue 23: the sheet's item rows go through ``items_record_outcomes``; the API records one
    item at a time (``item_record_outcome``). The same decisions write the same events (the
    case's roll-up step included), states, outcomes and audit-history rows."""
    from django.utils.translation import override

    from portal.api.services import item_decision_record

    sheet_cases = [case_in(S.UNDER_PLATFORM_REVIEW, items=3) for _ in PLAN]
    api_cases = [case_in(S.UNDER_PLATFORM_REVIEW, items=3) for _ in PLAN]
    since = StatusEvent.objects.order_by("-id").values_list("id", flat=True).first()
    rows = []
    for case, plan in zip(sheet_cases, PLAN, strict=True):
        rows += [(i, *d) for i, d in zip(case.items.order_by("pk"), plan, strict=False)]
    client = client_for(liaison)
    response = client.post(ADD, {"file": _item_sheet(rows)}, follow=True)
    assert {row["outcome"] for row in response.context["rows"]} == {"changed"}, response.context[
        "rows"
    ]
    for case, plan in zip(api_cases, PLAN, strict=True):
        for item, (outcome, reason, note) in zip(case.items.order_by("pk"), plan, strict=False):
            with override("en"):
                item_decision_record(
                    item=item, outcome=outcome, actor=liaison, reason_code=reason, note=note
                )

    def same(case, twin):
        events, state, history, items = _log(case, since)
        twin_events, twin_state, twin_history, twin_items = _log(twin, since)
        urls = {item.url: n for n, item in enumerate(case.items.order_by("pk"))}
        twin_urls = {item.url: n for n, item in enumerate(twin.items.order_by("pk"))}
        assert events
        assert [(urls.get(e[0]), *e[1:]) for e in events] == [
            (twin_urls.get(e[0]), *e[1:]) for e in twin_events
        ]
        assert (state, history) == (twin_state, twin_history)
        assert [i[1:] for i in items] == [i[1:] for i in twin_items]

    for case, twin in zip(sheet_cases, api_cases, strict=True):
        same(case, twin)
    states = [case.state for case in sheet_cases]
    assert states == [S.PARTIALLY_REMOVED, S.NOT_REMOVED, S.UNDER_PLATFORM_REVIEW]


@pytest.mark.requires_postgres("COPY and UPDATE ... FROM unnest")
def test_ten_or_a_hundred_item_rows_cost_the_same_queries(case_in, liaison, client_for):
    client = client_for(liaison)

    def count(n):
        cases = [case_in(S.UNDER_PLATFORM_REVIEW, items=2) for _ in range(n // 2)]
        rows = []
        for case in cases:
            first, second = case.items.order_by("pk")
            rows += [(first, "removed", "", ""), (second, "not_removed", "no_infringement", "x")]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(ADD, {"file": _item_sheet(rows)}, follow=True)
        assert {row["outcome"] for row in response.context["rows"]} == {"changed"}
        assert {c.state for c in TakedownCase.objects.filter(pk__in=[c.pk for c in cases])} == {
            S.PARTIALLY_REMOVED
        }
        return len(captured)

    assert count(10) == count(100)
