"""Each role's daily task, walked once in a real browser, in the role's language.

On every Thai page the walk visits, no user-interface string may be left in English: the page's
visible text is checked against the msgids of the project's, Django's and the libraries' catalogues
(tests/english_left.py). The liaison works in English.
"""

import pytest

from takedowns.choices import CaseState as S
from takedowns.choices import ItemKind
from takedowns.models import TakedownCase
from tests.browser.conftest import pick
from tests.english_left import english_left
from tests.takedowns.conftest import make_case, walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CASES = "/admin/takedowns/takedowncase/"
USER_NAMES = ("officer", "supervisor", "liaison", "manager")  # tests/conftest.py's cast


def assert_all_thai(browser_page):
    page = browser_page.page
    assert page.locator("html").get_attribute("lang") == "th", page.url
    left = english_left(browser_page.visible_text(), data=USER_NAMES)
    assert not left, f"English left on {page.url}: {left}"


def save(page, button="_continue"):
    with page.expect_navigation():
        page.click(f"input[name={button}]")


def test_officer_drafts_a_case_with_an_item_and_submits_it_for_review(
    browser_page, role_users, right
):
    page = browser_page.login("officer")
    assert_all_thai(browser_page)
    browser_page.goto(CASES + "add/")
    assert_all_thai(browser_page)
    page.fill("#id_title", "น้ำปลาตราปลอม")
    pick(page, "id_rights_holder", right.owner.name[:6], right.owner.name)
    pick(page, "id_right", right.name, right.name)
    page.select_option("#id_infringement_type", index=1)
    page.fill("#id_reporter_name", "สมชาย ใจดี")
    page.fill("#id_reporter_email", "somchai@ipthailand.go.th")
    save(page)
    case = TakedownCase.objects.get(title="น้ำปลาตราปลอม")
    assert case.state == S.DRAFT
    assert_all_thai(browser_page)  # the change page, with Django's "added" message

    page.click("#items-group .add-row a")
    page.select_option("#id_items-0-kind", ItemKind.LISTING)
    page.fill("#id_items-0-url", "https://shop.tiktok.com/view/product/98765")
    page.fill("#id_items-0-seller_handle", "@fakefishsauce")
    save(page)
    assert case.items.count() == 1
    assert_all_thai(browser_page)

    browser_page.goto(CASES + "?queue=my_drafts")
    assert_all_thai(browser_page)
    page.click(f"text={case.reference}")
    page.select_option("#id_transition", S.DIP_REVIEW)
    save(page)
    case.refresh_from_db()
    assert case.state == S.DIP_REVIEW
    assert_all_thai(browser_page)
    browser_page.goto(f"{CASES}{case.pk}/history/")
    assert_all_thai(browser_page)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_officer_creates_a_case_with_evidence_and_sends_it_to_review_in_one_save(
    browser_page, role_users, right, settings, tmp_path
):
    """Issue 25, item 1: one save creates the case, its item and evidence, and sends it to
    review; a page that comes back with an error keeps the chosen file and the chosen step."""
    settings.MEDIA_ROOT = tmp_path
    reported = make_case(right).items.get().url  # already in an open case: refused on saving
    page = browser_page.login("officer")
    browser_page.goto(CASES + "add/")
    page.fill("#id_title", "กาแฟดอยช้างปลอม")
    pick(page, "id_rights_holder", right.owner.name[:6], right.owner.name)
    pick(page, "id_right", right.name, right.name)
    page.select_option("#id_infringement_type", index=1)
    page.fill("#id_reporter_name", "สมชาย ใจดี")
    page.fill("#id_reporter_email", "somchai@ipthailand.go.th")
    page.select_option("#id_transition", S.DIP_REVIEW)
    page.click("#items-group .add-row a")
    page.select_option("#id_items-0-kind", ItemKind.LISTING)
    page.fill("#id_items-0-url", reported)
    page.click("#evidence-group .add-row a")
    page.set_input_files(
        "#id_evidence-0-file", {"name": "shot.png", "mimeType": "image/png", "buffer": PNG}
    )
    save(page)
    assert not TakedownCase.objects.filter(title="กาแฟดอยช้างปลอม").exists()
    kept = page.locator("#evidence-group .kept-upload")
    assert "shot.png" in kept.inner_text()
    assert page.locator("#id_transition").input_value() == S.DIP_REVIEW
    assert_all_thai(browser_page)
    browser_page.shot("case_add_error_keeps_the_evidence_file")

    page.fill("#id_items-0-url", "https://shop.tiktok.com/view/product/77001")
    save(page)  # the file is not chosen again
    case = TakedownCase.objects.get(title="กาแฟดอยช้างปลอม")
    assert case.state == S.DIP_REVIEW
    assert case.items.count() == 1
    assert case.evidence.get().original_name == "shot.png"
    assert_all_thai(browser_page)
    browser_page.shot("case_created_and_sent_to_review_in_one_save")


def test_supervisor_forwards_the_selected_cases_of_the_ready_queue(browser_page, role_users, right):
    ready = [walk(make_case(right), S.READY_TO_FORWARD, role_users) for _ in range(2)]
    in_review = walk(make_case(right), S.DIP_REVIEW, role_users)
    page = browser_page.login("supervisor")
    browser_page.goto(CASES)
    assert_all_thai(browser_page)
    with page.expect_navigation():
        page.click("#changelist-filter a[href*='queue=ready_to_forward']")
    assert_all_thai(browser_page)
    assert page.locator("#result_list tbody tr").count() == 2
    page.check("#action-toggle")
    page.select_option("select[name=action]", "forward_selected")
    with page.expect_navigation():
        page.click("button[name=index]")
    # Issue 25, item 7: forwarding asks first, listing the cases.
    assert page.locator("#td-forward-cases .td-forward-ready").count() == 2
    assert_all_thai(browser_page)
    browser_page.shot("forward_selected_confirmation")
    assert {c.state for c in TakedownCase.objects.filter(pk__in=[c.pk for c in ready])} == {
        S.READY_TO_FORWARD
    }
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert_all_thai(browser_page)  # the result message
    states = set(TakedownCase.objects.filter(pk__in=[c.pk for c in ready]).values_list("state"))
    assert states == {(S.FORWARDED,)}
    in_review.refresh_from_db()
    assert in_review.state == S.DIP_REVIEW


def test_supervisor_issues_an_api_token_and_copies_it_in_one_click(browser_page, role_users, right):
    """Issue 25, item 7: the new token goes to the clipboard with one click."""
    page = browser_page.login("supervisor")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_page.goto("/admin/api/apitoken/add/")
    page.select_option("#id_user", str(role_users["liaison"].pk))
    page.fill("#id_name", "IPPC sync")
    save(page, "_save")
    token = page.locator("#api-token").inner_text().strip()
    assert token.startswith("mou_")
    page.click("#api-token-copy")
    page.wait_for_function("() => document.getElementById('api-token-copy-status').textContent")
    assert page.evaluate("() => navigator.clipboard.readText()") == token
    assert_all_thai(browser_page)
    browser_page.shot("api_token_copied")


def test_liaison_records_a_decision_in_english(browser_page, role_users, right):
    case = walk(make_case(right), S.FORWARDED, role_users)
    page = browser_page.login("liaison")
    browser_page.goto(CASES)
    with page.expect_navigation():
        page.click("#changelist-filter a[href*='queue=awaiting_decision']")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Awaiting my decision" in page.locator("#changelist-filter").inner_text()
    page.click(f"text={case.reference}")
    for to_state in (S.UNDER_PLATFORM_REVIEW, S.REMOVED):
        page.select_option("#id_transition", to_state)
        save(page)
        assert "was changed successfully" in page.locator(".messagelist").inner_text()
    case.refresh_from_db()
    assert case.state == S.REMOVED


def test_manager_reads_the_dashboard_and_downloads_the_report(browser_page, role_users, right):
    walk(make_case(right), S.REMOVED, role_users)
    page = browser_page.login("manager")
    browser_page.goto("/admin/dashboard/")
    assert_all_thai(browser_page)
    page.select_option("#report-format", "xlsx")
    with page.expect_download() as download:
        page.click("#dashboard-report button[type=submit]")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as report:
        assert report.read(2) == b"PK"  # a zip container: an XLSX workbook
