"""The case page in a real browser at 1440 px: no horizontal scroll, the holder and right
autocompletes (rights follow the holder), items on the new-case page, and the case-level reason
given to the items in one click."""

import pytest

from takedowns.choices import CaseState as S
from takedowns.models import PlatformSeller, TakedownCase
from tests.browser.conftest import pick
from tests.takedowns.conftest import make_case, walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CASES = "/admin/takedowns/takedowncase/"
WIDTH = 1440


@pytest.fixture
def wide(browser_page):
    browser_page.page.set_viewport_size({"width": WIDTH, "height": 900})
    return browser_page


def assert_fits(browser_page, name):
    """No horizontal scroll at 1440 px: the page is no wider than the window."""
    page = browser_page.page
    width = page.evaluate("() => document.documentElement.scrollWidth")
    path = browser_page.shot(name)
    assert width <= WIDTH, f"{page.url} is {width} px wide at {WIDTH} px (see {path})"


def test_officer_makes_a_case_with_its_item_on_one_page_at_1440_px(
    wide, role_users, right, other_right
):
    page = wide.login("officer")
    wide.goto(CASES + "add/")
    assert_fits(wide, "case_add_1440")
    page.fill("#id_title", "ข้าวหอมมะลิปลอม")
    pick(page, "id_rights_holder", "วิสาหกิจ", right.owner.name)
    offered = pick(page, "id_right", "ทุ่งกุลา", right.name)
    assert other_right.name not in " ".join(offered)  # the other holder's right is not offered
    page.select_option("#id_infringement_type", index=1)
    page.fill("#id_reporter_name", "สมชาย ใจดี")
    page.fill("#id_reporter_email", "somchai@ipthailand.go.th")
    page.click("#items-group .add-row a")
    page.select_option("#id_items-0-kind", "listing")
    page.fill("#id_items-0-url", "https://shop.tiktok.com/view/product/55501")
    page.fill("#id_items-0-seller_handle", "@fakerice")
    page.click("#evidence-group .add-row a")
    assert_fits(wide, "case_add_with_item_and_evidence_1440")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    case = TakedownCase.objects.get(title="ข้าวหอมมะลิปลอม")
    assert (case.rights_holder, case.right) == (right.owner, right)
    assert case.items.get().seller_handle == "fakerice"
    assert_fits(wide, "case_change_1440")


def test_liaison_gives_the_case_reason_to_its_items_in_one_click(wide, role_users, right):
    case = make_case(right, items=3)
    walk(case, S.UNDER_PLATFORM_REVIEW, role_users)
    page = wide.login("liaison")
    wide.goto(f"{CASES}{case.pk}/change/")
    assert_fits(wide, "case_liaison_1440")
    button = page.locator("#td-reason-to-items")
    assert button.is_hidden()
    page.select_option("#id_transition_reason", index=1)
    button.click()
    reasons = page.locator("select[name$='-outcome_reason']:not([name*='__prefix__'])")
    assert reasons.count() == 3
    chosen = page.locator("#id_transition_reason").input_value()
    assert all(reasons.nth(i).input_value() == chosen for i in range(3))


def test_an_items_seller_handle_suggests_the_reported_ones(wide, role_users, right):
    PlatformSeller.objects.create(handle="fakerice", case_count=3)
    page = wide.login("officer")
    wide.goto(CASES + "add/")
    page.click("#items-group .add-row a")
    page.locator("#id_items-0-seller_handle").press_sequentially("@fak")
    page.wait_for_function(
        "() => document.querySelectorAll('#td-seller-handles option').length > 0"
    )
    suggested = page.evaluate(
        "() => Array.from(document.querySelectorAll('#td-seller-handles option'), o => o.value)"
    )
    assert suggested == ["@fakerice"]
    assert page.locator("#id_items-0-seller_handle").get_attribute("list") == "td-seller-handles"
