"""Issue 25: the MOU dashboard is not an endless page. On data shaped like the demo's (every
target, table and chart filled), its height is measured at 1440 px and on a 390 px phone, where
each section's charts are folded (one tap opens them) and the target table is a compact card per
target. The bounds leave room for more rows (the tables behind the figures are folded at every
width), but not for a page as long as the one issue 25 reported (8,100 and 16,000 px)."""

import pytest
from django.core.management import call_command

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: Page height bounds in CSS pixels, by window width.
BOUNDS = {1440: 6000, 390: 7500}

HEIGHT_JS = "() => document.documentElement.scrollHeight"
WIDTH_JS = "() => document.documentElement.scrollWidth"


@pytest.fixture
def demo_shaped(role_users):
    """The demo's commands, smaller: targets, GI catalogue, cases in every state, sweeps,
    training and the weekly snapshots of the trend chart."""
    for command, options in (
        ("demo_mou", {}),
        ("demo_catalog", {}),
        ("demo_takedowns", {"cases": 40}),
        ("demo_sweeps", {"sweeps": 6}),
        ("demo_training", {"participants": 60, "consultations": 20, "sessions": 6}),
        ("demo_dashboard", {"weeks": 8}),
    ):
        call_command(command, verbosity=0, **options)


def _measure(browser_page, width: int) -> tuple[int, int]:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 900})
    browser_page.goto("/admin/dashboard/")
    page.wait_for_function("typeof Chart !== 'undefined'")
    page.wait_for_function(
        "[...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))"
    )
    browser_page.shot(f"dashboard-height-{width}")
    return page.evaluate(HEIGHT_JS), page.evaluate(WIDTH_JS)


def test_dashboard_height_at_1440_and_390_px(browser_page, demo_shaped):
    browser_page.login("manager")
    page = browser_page.page
    heights = {}
    for width in BOUNDS:
        heights[width], scroll_width = _measure(browser_page, width)
        assert scroll_width <= width, (width, scroll_width)
        # every part of the page is there, filled
        assert page.locator("#section-targets tbody tr").count() >= 8
        assert page.locator("details.table-box").count() >= 6
        assert page.locator("canvas[data-chart]").count() >= 12
        folded = page.eval_on_selector_all("details.charts-box", "boxes => boxes.map(b => b.open)")
        assert len(folded) >= 4 and folded == [width > 700] * len(folded), (width, folded)
    print(f"dashboard height: {heights}")  # shown with -s
    assert all(heights[width] <= bound for width, bound in BOUNDS.items()), heights
    assert heights[390] < 2 * heights[1440], heights

    # On the phone a folded section's charts open on a tap, drawn at the phone's width.
    box = page.locator("details.charts-box").first
    box.locator("summary").click()
    canvas = box.locator("canvas").first
    page.wait_for_function(
        "(c) => c.getBoundingClientRect().width > 200", arg=canvas.element_handle()
    )
    assert page.evaluate(WIDTH_JS) <= 390
