"""Issue 23, item 4 "Dates typed in forms", in the browser: the admin's calendar of a Thai user
reads and writes Buddhist-era (BE) years, and the day picked is stored as its Christian-era date."""

import re
from datetime import date

import pytest

from portal.models import PublicHoliday

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ADD = "/admin/portal/publicholiday/add/"


def test_dates_typed_in_forms_the_thai_calendar_picks_a_be_date_and_saves_its_day(
    browser_page, supervisor
):
    page = browser_page.login("supervisor")
    browser_page.goto(ADD)
    page.fill("#id_name", "วันที่เลือกจากปฏิทิน")
    page.click("#calendarlink0")
    caption = page.locator("#calendarin0 caption")
    this_month = date.today()
    assert caption.inner_text().endswith(str(this_month.year + 543))
    page.click("#calendarbox0 .calendarnav-next")
    next_month = date(this_month.year + this_month.month // 12, this_month.month % 12 + 1, 15)
    assert caption.inner_text().endswith(str(next_month.year + 543))
    page.locator("#calendarin0 a", has_text=re.compile(r"^15$")).click()
    typed = page.input_value("#id_date")
    assert typed == f"15/{next_month.month:02d}/{next_month.year + 543}"

    with page.expect_navigation():
        page.click("input[name=_continue]")
    holiday = PublicHoliday.objects.get(name="วันที่เลือกจากปฏิทิน")
    assert holiday.date == next_month
    # The saved page shows the BE date, and its calendar opens on that month, in BE.
    assert page.input_value("#id_date") == typed
    page.click("#calendarlink0")
    assert caption.inner_text().endswith(str(next_month.year + 543))
    assert page.locator("#calendarin0 .selected").inner_text() == "15"
