"""The dashboard in headless Chromium: every chart is drawn by the vendored Chart.js, under the CSP."""

import json

import pytest

from tests.browser.conftest import ARTIFACTS, _skip_reason
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


def _chart(page, key: str) -> dict:
    """What Chart.js drew for one chart: labels shown on each axis and the axis titles."""
    return page.evaluate(
        """(key) => {
          const chart = Chart.getChart(document.querySelector(`canvas[data-chart="${key}"]`));
          const axes = {};
          for (const [id, scale] of Object.entries(chart.scales)) {
            axes[id] = {
              ticks: scale.ticks.map((tick) => String(scale.getLabelForValue
                ? (scale.type === "category" ? scale.getLabelForValue(tick.value) : tick.label)
                : tick.label)),
              labels: scale.ticks.map((tick) => String(tick.label)),
              title: scale.options.title && scale.options.title.display ? scale.options.title.text : "",
            };
          }
          return { labels: chart.data.labels, axes };
        }""",
        key,
    )


def test_every_state_label_is_shown_and_axes_carry_their_units(browser_page, manager):
    build_rows(6)
    browser_page.login("manager")
    page = browser_page.page
    browser_page.goto("/admin/dashboard/")
    page.wait_for_function("typeof Chart !== 'undefined'")
    states = _chart(page, "takedown_states")
    assert len(states["labels"]) == 15
    assert states["axes"]["y"]["ticks"] == states["labels"]  # none skipped
    speed = _chart(page, "takedown_speed")
    assert speed["axes"]["y"]["title"] == "ชั่วโมง"
    shares = _chart(page, "takedown_shares")
    assert all(label.endswith("%") for label in shares["axes"]["y"]["labels"])
    gmv = _chart(page, "gi_gmv")
    assert gmv["axes"]["y"]["title"] == "บาท"


def test_the_page_fits_a_390_px_phone(browser_page, manager):
    build_rows(6)
    browser_page.login("manager")
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto("/admin/dashboard/")
    page.wait_for_function("typeof Chart !== 'undefined'")
    widths = page.evaluate(
        "({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " view: window.innerWidth})"
    )
    assert widths["view"] == 390
    assert widths["page"] <= 390 and widths["body"] <= 390, widths
    # Nothing sticks out of the screen (a table that scrolls inside its own box is allowed).
    outside = page.evaluate(
        """() => [...document.querySelectorAll('#content-main *')]
             .filter((el) => !el.closest('.table-box'))
             .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
             .map((el) => el.tagName + '#' + el.id + '.' + el.className)"""
    )
    assert outside == [], outside
    browser_page.shot("dashboard-manager-390px")


def test_stale_dashboard_page_is_short_charts_speak_be_and_captions_are_readable(
    browser_page, manager
):
    """Issue 25 item 2: chart axes were CE ISO ("2026-01") beside BE tables, captions grey on
    blue, the page 8,100 px tall at 1440 px and 16,000 px at 390 px."""
    from datetime import date

    from portal.dashboard import services

    build_rows(6)
    for day in (date(2026, 1, 5), date(2026, 2, 2)):
        services.snapshot_take(scope_key="full", as_of=day)  # two points of the trend
    browser_page.login("manager")
    page = browser_page.page
    heights = {}
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        browser_page.goto("/admin/dashboard/")
        page.wait_for_function("typeof Chart !== 'undefined'")
        heights[width] = page.evaluate("document.documentElement.scrollHeight")
        browser_page.shot(f"dashboard-short-{width}px")
    # The rows behind the figures are folded away until asked for; opened, the page grows.
    assert page.locator("details.table-box").count() >= 3
    assert page.locator("details.table-box[open]").count() == 0
    page.evaluate("document.querySelectorAll('details.table-box').forEach(d => d.open = true)")
    opened = page.evaluate("document.documentElement.scrollHeight")
    assert opened > heights[390], (opened, heights)
    # Thai charts write months and days in the Buddhist era, as the tables do.
    trend = _chart(page, "trend")
    assert trend["labels"][:2] == ["5 ม.ค. 2569", "2 ก.พ. 2569"], trend["labels"]
    months = {
        key: _chart(page, key)["labels"]
        for key in ("gi_gmv", "monitoring_month", "training_sessions", "consultations_month")
    }
    assert months["gi_gmv"] and months["training_sessions"], months
    assert all(label.endswith(" 2569") for labels in months.values() for label in labels), months
    # A caption's period is written in the caption's own colour, not grey on the header blue.
    colours = page.evaluate(
        """[...document.querySelectorAll('caption .period')].map((period) => [
             getComputedStyle(period).color, getComputedStyle(period.closest('caption')).color])"""
    )
    assert colours and all(own == caption for own, caption in colours), colours
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dashboard-heights.json").write_text(json.dumps({**heights, "opened": opened}))


def test_thai_date_filter_picks_a_be_day_and_the_address_keeps_iso(browser_page, manager):
    """Issue 25: the filters use the admin's calendar in BE (as every date input of a Thai user),
    not the browser's ISO date picker; the filtered page's address is ISO."""
    import re
    from datetime import date

    browser_page.login("manager")
    page = browser_page.page
    browser_page.goto("/admin/dashboard/")
    assert page.get_attribute("#id_date_from", "type") == "text"
    page.click("#calendarlink0")
    caption = page.locator("#calendarin0 caption")
    today = date.today()
    assert caption.inner_text().endswith(str(today.year + 543))
    page.locator("#calendarin0 a", has_text=re.compile(r"^1$")).click()
    typed = page.input_value("#id_date_from")
    assert typed == f"01/{today.month:02d}/{today.year + 543}"
    with page.expect_navigation():
        page.click("#dashboard-filters button[type=submit]")
    page.wait_for_load_state()
    assert f"date_from={today.year}-{today.month:02d}-01" in page.url
    assert page.input_value("#id_date_from") == typed
    assert f"{today.year + 543}" in page.inner_text("#dashboard-period")
