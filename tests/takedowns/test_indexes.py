"""The indexes that real queries need: the API's case list and the dashboard's removals."""

import pytest
from django.db import connection

from takedowns.models import TakedownCase

pytestmark = pytest.mark.django_db


def _indexes():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TakedownCase._meta.db_table)
    return {name: info["columns"] for name, info in found.items() if info["index"]}


def test_case_list_order_has_an_index():
    # portal.api.pagination orders and filters by (updated_at, id).
    assert _indexes()["td_case_updated"] == ["updated_at", "id"]


def test_removals_by_date_have_an_index():
    # portal.dashboard.selectors.takedowns_section filters removed_at by a date range.
    assert _indexes()["td_case_removed"] == ["removed_at"]
