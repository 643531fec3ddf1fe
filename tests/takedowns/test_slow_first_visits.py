"""Issue 25, item 10 "Slow first visits": saving a new case with its items and evidence checks
the case once, not once per item (queries counted through the admin's case page)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from takedowns.choices import CaseState as S
from takedowns.models import TakedownCase

from .admin_helpers import new_case_data
from .test_case_page import ADD, PNG

pytestmark = pytest.mark.django_db


def save_new_case(client, right, items: int, first: int = 0) -> list[str]:
    page = client.get(ADD)
    rows = {"items-TOTAL_FORMS": str(items), "evidence-TOTAL_FORMS": "1"}
    for i in range(items):
        rows[f"items-{i}-kind"] = "listing"
        rows[f"items-{i}-url"] = f"https://shop.tiktok.com/view/product/{4242 + first + i}"
        rows[f"items-{i}-seller_handle"] = f"@seller{first + i}"
    rows.update(
        {
            "evidence-0-kind": "screenshot",
            "evidence-0-description": "หน้าร้าน",
            "evidence-0-captured_at_0": "2026-11-30",
            "evidence-0-captured_at_1": "14:05:00",
            "evidence-0-file": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        }
    )
    data = new_case_data(page, right, transition=S.DIP_REVIEW, **rows)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"]
    return [query["sql"] for query in queries.captured_queries]


def test_slow_first_visits_case_save_checks_the_case_once_whatever_its_items(
    officer, right, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(officer)
    one = save_new_case(client, right, 1)
    five = save_new_case(client, right, 5, first=10)

    def case_locks(statements):
        return [s for s in statements if "FOR UPDATE" in s and "takedowns_takedowncase" in s]

    assert len(case_locks(one)) == len(case_locks(five))
    newest = TakedownCase.objects.order_by("-pk").first()
    assert newest.state == S.DIP_REVIEW
    assert newest.items.count() == 5 and newest.evidence.count() == 1
