import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from takedowns.choices import CaseState
from takedowns.models import StatusEvent

from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db
LIST = reverse("admin:takedowns_takedowncase_changelist")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["officer", "liaison", "manager"])
@pytest.mark.parametrize(
    "query",
    ["", "?state__exact=forwarded", "?repeat=yes", "?sla=overdue&right__right_type=trademark"],
)
def test_list_query_count_does_not_grow_with_rows(role, query, role_users, right, client_for):
    client = client_for(role_users[role])
    for _ in range(3):
        walk(make_case(right, items=2), S.FORWARDED, role_users)
    few = count_queries(client, LIST + query)
    for _ in range(27):
        walk(make_case(right, items=2), S.FORWARDED, role_users)
    many = count_queries(client, LIST + query)
    assert few == many
    # the liaison's page has one more: its own count of each shown seller's cases
    assert many <= (13 if role == "liaison" else 12)


def test_detail_page_with_20_items_and_30_events_stays_within_15_queries(
    role_users, right, client_for
):
    case = walk(make_case(right, items=20), S.UNDER_PLATFORM_REVIEW, role_users)
    for n in range(30 - case.events.count()):
        StatusEvent.objects.create(case=case, from_state=case.state, to_state=case.state, note=n)
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    for role in ("officer", "liaison", "manager", "supervisor"):
        assert count_queries(client_for(role_users[role]), url) <= 15, role


def test_closed_case_detail_lists_items_and_log_read_only(role_users, right, client_for):
    case = walk(make_case(right, items=20), S.CLOSED, role_users)
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    for role in ("officer", "liaison", "manager"):
        client = client_for(role_users[role])
        assert count_queries(client, url) <= 15, role
        page = client.get(url).content.decode()
        assert page.count('class="td-item"') == 20, role
        events = case.events.all()
        if role == "liaison":  # the platform's view of the log starts at forwarding
            events = events.exclude(to_state__in=[S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD])
        assert page.count('class="td-event"') == events.count(), role
        assert case.items.first().normalized_url in page
