"""The case export written by PostgreSQL (COPY) has the cells the Resource's widgets write."""

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from takedowns.models import TakedownCase
from takedowns.resources import TakedownCaseResource
from tests.jobs.test_exports import every_path

from .conftest import make_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.requires_postgres("COPY is PostgreSQL's"),
]


def test_every_path_writes_the_same_case_cells(right, monkeypatch):
    tricky = [
        {"title": '=HYPERLINK("http://x")', "description": '-5 บาท, "ลด"\nบรรทัดสอง'},
        {"title": "+66 ร้าน", "description": "@handle", "reporter_phone": "\t0812345678"},
        {"title": "'+quoted", "description": "'plain quote", "reporter_phone": "''@x"},
        {"title": "ข้าวหอมมะลิ", "description": "", "reporter_basis": ""},
    ]
    for number, extra in enumerate(tricky):
        case = make_case(
            right,
            items=min(number, 2),  # none, one, two item URLs
            # 17:30 UTC is half past midnight in Bangkok: the local date is the next day
            created_at=datetime(2026, 1, 1, 17, 30, 5, 123456, tzinfo=UTC),
            authorization_valid_from=date(2026, 1, 2) if number else None,
            **extra,
        )
    TakedownCase.objects.filter(pk=case.pk).update(
        ippc_ticket_id="=1+1", takedown_seconds=3600, decided_at=case.created_at
    )
    with translation.override("th"):
        by_sql, by_values, by_instances = every_path(
            TakedownCaseResource, TakedownCase.objects.all(), monkeypatch, sql_expected=True
        )
    assert by_sql == by_values == by_instances
    rows = {row[by_values[0].index("title")]: row for row in by_values[1:]}
    header = by_values[0]
    first = rows['\'=HYPERLINK("http://x")']
    assert first[header.index("description")] == '\'-5 บาท, "ลด"\nบรรทัดสอง'
    assert first[header.index("created_at")] == "2026-01-02 00:30:05"
    assert first[header.index("item_urls")] == ""
    last = rows["ข้าวหอมมะลิ"]
    assert last[header.index("ippc_ticket_id")] == "'=1+1"
    assert last[header.index("decided_at")] == "2026-01-02 00:30:05"
    assert last[header.index("takedown_seconds")] == "3600"
    assert len(last[header.index("item_urls")].split("\n")) == 2
    assert rows["'+66 ร้าน"][header.index("reporter_phone")] == "'\t0812345678"
    # a quote that is data before a trigger is quoted once more (the import removes one)
    quoted = rows["''+quoted"]
    assert quoted[header.index("description")] == "'plain quote"
    assert quoted[header.index("reporter_phone")] == "'''@x"
