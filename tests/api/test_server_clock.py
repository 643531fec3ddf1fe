"""The MOU's clock is the server's (issue 24, item 1): a time the platform states for its
decision is kept beside the step and shown, and never moves an SLA or time-to-takedown figure."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from takedowns.choices import CaseState as S
from takedowns.sla import case_flag_overdue
from tests.api.conftest import make_case, walk
from tests.takedowns.test_admin_case import move

pytestmark = pytest.mark.django_db


def post(api, url, key=None, **body):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def test_backdated_api_decisions_on_an_overdue_case_leave_it_breached(
    right, role_users, liaison_api
):
    start = timezone.now() - timedelta(days=166)
    case = walk(make_case(right, created_at=start), S.FORWARDED, role_users, start=start)
    case.refresh_from_db()
    assert case_flag_overdue() == [case.pk]
    stated = case.forwarded_at.isoformat()
    url = reverse("api:case-decision", args=[case.reference])
    before = timezone.now()
    assert (
        post(liaison_api, url, decision="under_platform_review", decided_at=stated).status_code
        == 200
    )
    response = post(liaison_api, url, decision="removed", decided_at=stated)
    assert response.status_code == 200, response.json()

    case.refresh_from_db()
    assert case.sla_breached
    assert case.decided_at >= before and case.removed_at >= before
    assert case.decided_at > case.sla_due_at
    assert case.takedown_seconds >= timedelta(days=165).total_seconds()
    assert case.platform_decided_at == case.forwarded_at
    events = list(case.events.filter(from_state__in=[S.FORWARDED, S.UNDER_PLATFORM_REVIEW]))
    assert events and all(e.reported_at == case.forwarded_at for e in events)
    assert all(e.at >= before for e in events)
    shown = response.json()["case"]
    assert shown["platform_decided_at"] is not None
    assert shown["decided_at"] != shown["platform_decided_at"]


def reviewed_an_hour_ago(right, role_users):
    start = timezone.now() - timedelta(hours=1)
    return walk(
        make_case(right, created_at=start), S.UNDER_PLATFORM_REVIEW, role_users, start=start
    )


def test_backdated_item_decision_keeps_the_stated_time_beside_the_servers(
    right, role_users, liaison_api
):
    case = reviewed_an_hour_ago(right, role_users)
    item = case.items.get()
    stated = case.events.latest("at").at  # the review began an hour ago: decided then
    before = timezone.now()
    url = reverse("api:item-decision", args=[item.pk])
    response = post(liaison_api, url, outcome="removed", decided_at=stated.isoformat())
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.state == S.REMOVED and case.removed_at >= before
    assert case.platform_decided_at == stated
    item_event = case.events.get(item=item)
    assert item_event.reported_at == stated and item_event.at >= before


@pytest.mark.parametrize(
    "decided_at", ["0001-01-01T00:00:00+07:00", "0001-01-01T00:00:00Z", "1999-12-31T23:00:00Z"]
)
def test_a_decided_at_far_in_the_past_is_a_400_with_a_message(decided_at, case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    url = reverse("api:case-decision", args=[case.reference])
    response = post(liaison_api, url, decision="removed", decided_at=decided_at)
    assert response.status_code == 400
    assert response.json()["errors"]["decided_at"] == ["Give a time from the year 2000 on."]


def test_a_decided_at_without_its_utc_offset_is_refused(case_in, liaison_api):
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    url = reverse("api:case-decision", args=[case.reference])
    response = post(liaison_api, url, decision="removed", decided_at="2026-11-25T14:30:00")
    assert response.status_code == 400
    assert "UTC offset" in response.json()["errors"]["decided_at"][0]


def test_the_liaisons_typed_time_on_the_case_page_is_kept_beside_the_servers(
    right, role_users, client_for
):
    case = reviewed_an_hour_ago(right, role_users)
    stated = timezone.localtime(timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    before = timezone.now()
    response = move(
        client_for(role_users["liaison"]),
        case,
        S.REMOVED,
        transition_at_0=stated.strftime("%Y-%m-%d"),
        transition_at_1=stated.strftime("%H:%M:%S"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decided_at >= before and case.platform_decided_at == stated
    page = client_for(role_users["liaison"]).get(
        reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    )
    assert "stated by the platform" in page.content.decode()
