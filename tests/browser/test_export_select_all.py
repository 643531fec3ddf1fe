"""The export page's "Select all" box works under the Content-Security-Policy: it clears and ticks
every field box (its label too), with no inline script, and the export sends the ticked fields."""

import csv

import pytest
from django.urls import reverse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIELD_BOXES = '.selectable-field-export-row input[type="checkbox"]:not(.select-toggle)'
TICKED = "boxes => boxes.filter(box => box.checked).length"


def test_export_select_all_clears_and_ticks_every_field_under_the_csp(browser_page, supervisor):
    page = browser_page.login("supervisor")
    response = browser_page.goto(reverse("admin:portal_target_export"))
    assert response.status == 200
    boxes = page.locator(FIELD_BOXES)
    total = boxes.count()
    assert total > 3 and boxes.evaluate_all(TICKED) == total  # every field starts ticked

    page.locator("input.select-toggle").uncheck()
    assert boxes.evaluate_all(TICKED) == 0
    page.locator("label[for=select-all-toggle]").click()  # the label works the box too
    assert page.locator("input.select-toggle").is_checked()
    assert boxes.evaluate_all(TICKED) == total

    # clear all, tick one field: the file holds that column only
    page.locator("input.select-toggle").uncheck()
    page.check("input[name=targetresource_name]")
    page.select_option("#id_format", label="csv")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["name"]
    # browser_page fails the test on any CSP violation or script error, inline handler included
