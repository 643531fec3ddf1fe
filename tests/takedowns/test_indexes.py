"""The indexes that real queries need: the API's case list and the dashboard's removals."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from takedowns.models import InfringingItem, TakedownCase
from tests.takedowns.conftest import make_case

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


def test_the_database_refuses_a_second_open_item_with_the_same_url(right):
    """The unique open-URL constraint is in the database, not only in ``clean()``: two writers
    that both passed validation cannot both report a URL (migration 0014 re-creates it after
    altering the URL field, which drops every single-column index of the column)."""
    first = make_case(right, items=1).items.get()
    other = make_case(right, items=0)
    closed_copy = InfringingItem(case=other, kind=first.kind, url=first.url, is_open=False)
    closed_copy.normalized_url = first.normalized_url
    InfringingItem.objects.bulk_create([closed_copy])  # a closed case may report it again
    open_copy = InfringingItem(case=other, kind=first.kind, url=first.url)
    open_copy.normalized_url = first.normalized_url
    with pytest.raises(IntegrityError), transaction.atomic():
        InfringingItem.objects.bulk_create([open_copy])  # bulk_create: no clean(), no save()


def test_a_reference_is_unique_by_one_index(right):
    """A reference is searched whole (the case list's search, the API): one unique index serves
    it. ``unique=True`` would add a second, for LIKE 'prefix%', that every case written pays for.
    The database still refuses a second case with a reference, and ``full_clean`` says so as it
    says it of any unique value."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TakedownCase._meta.db_table)
    on_reference = [
        name
        for name, info in found.items()
        if info["columns"] == ["reference"] and (info["index"] or info["unique"])
    ]
    assert on_reference == ["td_case_reference_unique"]
    case = make_case(right, items=0)
    copy = TakedownCase(reference=case.reference, title="สำเนา", rights_holder=case.rights_holder)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            copy.validate_constraints()
        assert refused.value.messages == ["Takedown case with this Reference already exists."]
    with pytest.raises(IntegrityError), transaction.atomic():
        TakedownCase.objects.bulk_create([copy])
