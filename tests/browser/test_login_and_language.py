"""Each role logs in through the real login form; the header switch turns the admin Thai <-> English."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("role", ["officer", "supervisor", "liaison", "manager"])
def test_each_role_logs_in_and_sees_the_admin(browser_page, role_users, role):
    page = browser_page.login(role)
    assert page.url.endswith("/admin/"), page.url
    assert page.locator("#user-tools").inner_text().upper().count(role.upper()) == 1
    # DIP roles work in Thai, the platform's liaison in English, whatever the browser asks.
    expected = "en" if role == "liaison" else "th"
    assert page.locator("html").get_attribute("lang") == expected


def test_a_wrong_password_shows_the_form_again(browser_page, officer):
    page = browser_page.login("officer", "not-the-password")
    assert "/admin/login/" in page.url
    assert page.locator(".errornote").count() == 1


def test_language_switch_turns_the_admin_english_and_back(browser_page, officer):
    page = browser_page.login("officer")
    assert page.locator("html").get_attribute("lang") == "th"
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "DIP × TikTok Shop MOU Portal" in page.locator("#site-name").inner_text()
    assert "LOG OUT" in page.locator("#logout-form").inner_text().upper()
    browser_page.shot("language-switch-english")
    with page.expect_navigation():
        page.select_option("#language-select", "th")
    assert page.locator("html").get_attribute("lang") == "th"
    assert "LOG OUT" not in page.locator("#logout-form").inner_text().upper()
