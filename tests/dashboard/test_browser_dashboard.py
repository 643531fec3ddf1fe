"""The dashboard in headless Chromium: every chart is drawn by the vendored Chart.js, under the CSP."""

import pytest

from tests.browser.conftest import _skip_reason
from tests.dashboard.test_dashboard_view import build_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason())),
]

DRAWN = "[...document.querySelectorAll('canvas[data-chart]')].map(c => !!Chart.getChart(c))"


def test_manager_sees_every_chart_drawn(browser_page, manager):
    build_rows(6)
    browser_page.login("manager")
    page = browser_page.page
    browser_page.goto("/admin/dashboard/")
    page.wait_for_function("typeof Chart !== 'undefined'")
    drawn = page.evaluate(DRAWN)
    assert len(drawn) >= 12 and all(drawn), drawn
    assert page.locator("#section-targets progress").count() == 4
    browser_page.shot("dashboard-manager")


def test_liaison_sees_the_takedown_charts_only(browser_page, liaison):
    build_rows(3)
    browser_page.login("liaison")
    page = browser_page.page
    browser_page.goto("/admin/dashboard/")
    page.wait_for_function("typeof Chart !== 'undefined'")
    charts = page.evaluate(
        "[...document.querySelectorAll('canvas[data-chart]')].map(c => c.dataset.chart)"
    )
    assert set(charts) <= {
        "takedown_states",
        "takedown_speed",
        "takedown_shares",
        "repeat_infringers",
        "trend",
    }
    assert all(page.evaluate(DRAWN))
