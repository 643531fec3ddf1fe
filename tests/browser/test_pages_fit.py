"""Issue 25, item 5: every admin page fits a 1440 px window, and a list shows all its columns.

A DIP supervisor sees the most pages: every list, every add page and the change pages of one
object of each kind are opened at 1440 px; none may be wider than the window, and no list's
table may be wider than the box that holds it (a column cut off behind a scroll bar).
"""

import pytest

from tests.takedowns.conftest import make_case
from tests.takedowns.test_sweeps_admin import make_sweep

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 1440

#: [document width, widest list table - its box's width] of the page, in CSS pixels.
MEASURE_JS = """() => {
    const results = document.querySelector('#changelist .results');
    const table = document.querySelector('#result_list');
    return [
        document.documentElement.scrollWidth,
        results && table ? table.scrollWidth - results.clientWidth : 0,
    ];
}"""


@pytest.fixture
def objects(role_users, right):
    from gi_catalog.models import Seller
    from portal.models import Province
    from training.models import Participant

    case = make_case(right, items=2)
    sweep = make_sweep(
        role_users["officer"],
        findings=[("https://www.tiktok.com/@ricecopy/video/7301234567890123456", right)],
    )
    seller = Seller.objects.create(
        name="วิสาหกิจชุมชนข้าวหอมมะลิทุ่งกุลาร้องไห้บ้านหนองแวง",
        kind="community_enterprise",
        tax_id="0994000165471",
        province=Province.objects.get(code="TH-45"),
    )
    participant = Participant.objects.create(
        name="นางสาวทดสอบ ระบบ", division="gi", email="test@ipthailand.go.th"
    )
    return {
        "takedowns/takedowncase": case.pk,
        "takedowns/monitoringsweep": sweep.pk,
        "takedowns/sweepfinding": sweep.findings.get().pk,
        "gi_catalog/seller": seller.pk,
        "training/participant": participant.pk,
    }


def test_pages_fit_1440_px_for_the_supervisor(browser_page, objects):
    page = browser_page.page
    page.set_viewport_size({"width": WIDTH, "height": 900})
    browser_page.login("supervisor")
    links = page.eval_on_selector_all(
        "#content-main a[href^='/admin/']",
        "anchors => [...new Set(anchors.map(a => new URL(a.href).pathname))]",
    )
    paths = sorted(set(links) | {f"/admin/{model}/{pk}/change/" for model, pk in objects.items()})
    assert len(paths) > 30
    too_wide = []
    for path in paths:
        browser_page.goto(path)
        width, cut = page.evaluate(MEASURE_JS)
        if width > WIDTH or cut > 0:
            shot = browser_page.shot("fit_" + path.strip("/").replace("/", "_"))
            too_wide.append(f"{path}: {width} px wide, list cut by {cut} px ({shot.name})")
    assert not too_wide, "\n".join(too_wide)
