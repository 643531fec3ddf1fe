from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gi_catalog.choices import OnboardingStatus
from portal.choices import TargetMetric
from portal.dashboard import services
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db
URL = reverse("admin:dashboard")


def build_rows(n: int):
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(is_superuser=True).first()
    actor = actor or get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    b.target(TargetMetric.PROMOTION_ACTIVITIES, 100)
    b.target(TargetMetric.PEOPLE_TRAINED, 100)
    b.target(TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS, 80)
    b.target(TargetMetric.REMOVAL_RATE, 90)
    course = b.course()
    for i in range(n):
        day = date(2026, 1 + i % 10, 1 + i % 28)
        b.product()
        b.application(OnboardingStatus.LIVE, created=b.at(day), live_at=b.at(day))
        b.activity(day, gmv=str(100 + i))
        session = b.session(course, b.at(day, 9 + i % 8))
        b.attendance(session, b.participant(), attended=True, completed=i % 2 == 0)
        b.consultation(day)
        case = b.case(b.at(day), f"handle{i % 3}")
        b.forward(case, actor, b.at(day, 11))
        b.move(
            case,
            actor,
            ("under_platform_review", b.at(day, 12)),
            ("removed" if i % 2 else "not_removed", b.at(day, 13 + i % 5)),
        )


@pytest.mark.parametrize("role", ["manager", "supervisor", "officer"])
def test_dip_roles_see_every_section(role, role_users, client_for):
    build_rows(2)
    response = client_for(role_users[role]).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for section in ("targets", "gi", "takedowns", "monitoring", "training"):
        assert f'id="section-{section}"' in page
    assert 'id="dashboard-charts"' in page
    assert "dashboard/vendor/chart.umd.js" in page


def test_liaison_sees_only_the_takedown_part(liaison, client_for):
    build_rows(2)
    response = client_for(liaison).get(URL + "?workstream=gi_promotion")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="section-takedowns"' in page
    for section in ("targets", "gi", "monitoring", "training"):
        assert f'id="section-{section}"' not in page
    assert 'name="workstream"' not in page


def test_outsider_and_anonymous_are_refused(outsider, client_for, client):
    assert client.get(URL).status_code == 302  # to the login page
    assert client_for(outsider).get(URL).status_code in (302, 403)
    response = client_for(outsider).post(reverse("admin:dashboard_report"), {"format": "xlsx"})
    assert response.status_code in (302, 403)


def test_post_is_refused(manager, client_for):
    assert client_for(manager).post(URL).status_code == 405


def test_admin_index_links_to_the_dashboard_for_allowed_roles(role_users, client_for):
    for role in ("manager", "liaison", "officer"):
        page = client_for(role_users[role]).get(reverse("admin:index")).content.decode()
        assert 'id="dashboard-link"' in page and URL in page, role


def test_thai_by_default_english_on_request(manager, client_for):
    client = client_for(manager)
    page = client.get(URL).content.decode()
    assert 'lang="th"' in page
    assert "แดชบอร์ดความคืบหน้า MOU" in page
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    page = client.get(URL).content.decode()
    assert 'lang="en"' in page
    assert "MOU progress dashboard" in page


def test_bad_filters_fall_back_to_the_whole_mou_with_a_message(manager, client_for):
    response = client_for(manager).get(
        URL + "?date_from=2026-05-01&date_to=2026-01-01&workstream=x"
    )
    assert response.status_code == 400  # refused, with the page and its message
    assert response.context["scope"].is_default
    assert response.context["form"].errors


def test_filters_narrow_the_figures(manager, client_for):
    build_rows(3)
    response = client_for(manager).get(
        URL + "?date_from=2026-01-01&date_to=2026-01-31&workstream=gi_promotion"
    )
    context = response.context
    assert [s["key"] for s in context["sections"]] == ["gi"]
    scalars = {tile["key"]: tile["value"] for tile in context["sections"][0]["scalars"]}
    assert scalars["promotions"] == 1
    assert scalars["gmv"] == 100.0


def test_page_shows_when_the_figures_were_computed(manager, client_for):
    before = timezone.now() - timedelta(seconds=1)
    response = client_for(manager).get(URL)
    assert response.context["computed_at"] >= before
    page = response.content.decode()
    assert 'id="computed-at"' in page
    # in Bangkok time, said so (the page is Thai: Buddhist era)
    shown = timezone.localtime(response.context["computed_at"])
    assert f"{shown:%H:%M}" in page and "(เวลากรุงเทพฯ)" in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", ["", "?date_from=2026-01-01&date_to=2026-12-31"])
def test_query_count_does_not_grow_with_rows(query, manager, client_for):
    """Counted while the figures are recomputed (a change was just made) on every request."""
    client = client_for(manager)
    url = URL + query
    build_rows(3)
    services.figures_changed()
    _queries(client, url)  # warm up: session, today's snapshot row
    services.figures_changed()
    few = _queries(client, url)
    build_rows(30)
    services.figures_changed()
    many = _queries(client, url)
    assert few == many


def test_no_inline_script(manager, client_for):
    page = client_for(manager).get(URL).content.decode()
    import re

    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " onclick=" not in page and " onchange=" not in page


def test_no_link_for_a_user_without_a_dashboard_permission(outsider, client_for):
    page = client_for(outsider).get(reverse("admin:index")).content.decode()
    assert 'id="dashboard-link"' not in page


def test_liaison_page_query_count_does_not_grow_with_rows(liaison, client_for):
    client = client_for(liaison)
    url = URL + "?date_from=2026-01-01"
    build_rows(3)
    services.figures_changed()
    _queries(client, url)
    services.figures_changed()
    few = _queries(client, url)
    build_rows(20)
    services.figures_changed()
    assert _queries(client, url) == few
