"""End-to-end scenarios in the real admin: an officer's import with errors, a takedown case walked
officer -> supervisor -> liaison to `removed`, the dashboard's charts drawing."""

import pytest

from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent, TakedownCase
from tests.takedowns.conftest import make_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_officer_imports_a_csv_and_sees_its_errors(browser_page, officer, tmp_path):
    from training.models import Course

    good_and_bad = (
        "code,title_th,title_en,tool,description\n"
        "TT-LIVE-01,การขายผ่าน LIVE,LIVE selling,not-a-platform-tool,\n"
    )
    upload = tmp_path / "courses.csv"
    upload.write_text(good_and_bad, encoding="utf-8")
    page = browser_page.login("officer")
    browser_page.goto("/admin/training/course/import/")
    page.set_input_files("input[type=file]", str(upload))
    format_select = page.locator("select[name=format]")
    if format_select.count():
        format_select.select_option(index=1 if format_select.locator("option").count() > 1 else 0)
    page.locator('form[enctype="multipart/form-data"] [type=submit]').first.click()
    page.wait_for_load_state()
    errors = page.locator(".validation-error-container, .errors, .errorlist, .errornote")
    assert errors.count() > 0
    text = page.locator("#content").inner_text()
    assert "not-a-platform-tool" in text or "tool" in text
    browser_page.shot("import-errors")
    assert not Course.objects.exists()


def _decide(browser_page, case, to_state):
    page = browser_page.page
    browser_page.goto(f"/admin/takedowns/takedowncase/{case.pk}/change/")
    page.select_option("#id_transition", to_state)
    if page.locator("#id_transition_note").count():
        page.fill("#id_transition_note", "ขั้นตอนทดสอบในเบราว์เซอร์")
    page.locator("input[name=_continue], input[name=_save]").first.click()
    page.wait_for_load_state()
    case.refresh_from_db()
    return case.state


@pytest.fixture
def case(right):
    return make_case(right, items=1)


def test_a_case_walks_officer_supervisor_liaison_to_removed(
    browser_page, case, role_users, chromium, live_server
):
    steps = [
        ("officer", S.DIP_REVIEW),
        ("officer", S.READY_TO_FORWARD),
        ("supervisor", S.FORWARDED),
        ("liaison", S.UNDER_PLATFORM_REVIEW),
        ("liaison", S.REMOVED),
    ]
    current = None
    for role, to_state in steps:
        if role != current:
            browser_page.page.context.clear_cookies()
            browser_page.login(role)
            current = role
        assert _decide(browser_page, case, to_state) == to_state, (role, to_state)
        browser_page.shot(f"case-walk-{to_state}")
    case = TakedownCase.objects.get(pk=case.pk)
    assert case.state == S.REMOVED
    moves = list(
        StatusEvent.objects.filter(case=case, item=None)
        .order_by("pk")
        .values_list("to_state", "actor__username")
    )
    assert moves[-5:] == [(state, role) for role, state in steps]


def test_the_dashboard_draws_its_charts(browser_page, manager):
    page = browser_page.login("manager")
    browser_page.goto("/admin/dashboard/")
    canvases = page.locator("canvas")
    assert canvases.count() > 0
    page.wait_for_function(
        """() => [...document.querySelectorAll('canvas')].some(c => {
            if (!c.width || !c.height) return false;
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
            return false;
        })""",
        timeout=10_000,
    )
    browser_page.shot("dashboard")
