"""The engine keeps each existing row as loaded (``_snapshot``) to compare the file's row with."""

import pytest

from portal.engine import _snapshot
from portal.models import Target
from tests.jobs.conftest import workstream  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_snapshot_keeps_the_row_as_loaded_whatever_the_row_then_sets(
    workstream,  # noqa: F811
    django_assert_num_queries,
):
    Target.objects.create(
        workstream=workstream,
        name="KPI 1",
        metric="gi_products_listed",
        target_value="10.00",
        unit="cases",
        period_start="2026-01-01",
        due_date="2026-12-31",
    )
    loaded = Target.objects.select_related("workstream").get(name="KPI 1")
    loaded.notes_seen = ["kept"]  # a mutable value: copied, not shared
    original = _snapshot(loaded)

    loaded.unit = "sellers"
    loaded.notes_seen.append("changed in place")
    loaded.workstream = None
    loaded._state.adding = True

    assert (original.pk, original.unit, original.notes_seen) == (loaded.pk, "cases", ["kept"])
    with django_assert_num_queries(0):  # its related object, still cached
        assert original.workstream == workstream
    assert not original._state.adding
