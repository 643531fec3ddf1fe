"""Random and malformed CSV files through portal.importing and the real admin import view: never a
server error; either every row is written or none, and a refused file says why."""

import csv
import datetime
import io
import os
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.choices import TargetMetric
from portal.importing import CSV, UnreadableFileError
from portal.models import Agreement, Target, Workstream
from portal.resources import TargetResource

pytestmark = pytest.mark.django_db

# A full admin round trip costs far more than a parser call: fewer examples, still random each run.
ADMIN_EXAMPLES = int(os.environ.get("HYPOTHESIS_ADMIN_EXAMPLES", "15"))
COLUMNS = ["id", "workstream", "name", "metric", "target_value", "unit", "period_start", "due_date"]


@pytest.fixture
def targets(db):
    agreement = Agreement.objects.create(
        title="MOU", parties="DIP, TikTok", signed_on=datetime.date(2025, 1, 1)
    )
    workstream = Workstream.objects.create(agreement=agreement, code="gi_promotion")
    return [
        Target.objects.create(
            workstream=workstream,
            name=f"KPI {n}",
            metric=TargetMetric.values[0],
            target_value=Decimal(10 * n),
            unit="rows",
            period_start=datetime.date(2025, 1, 1),
            due_date=datetime.date(2026, 12, 31),
        )
        for n in (1, 2, 3)
    ]


def snapshot():
    return list(Target.objects.order_by("pk").values(*COLUMNS[2:], "pk"))


dates = st.one_of(
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2040, 1, 1)).map(str),
    st.sampled_from(["", "31/02/2026", "2026-13-01", "tomorrow", "๒๕๖๙-๐๑-๐๑"]),
)
values = st.one_of(
    st.decimals(min_value=-5, max_value=10**6, places=2, allow_nan=False).map(str),
    st.sampled_from(["", "abc", "1e999", "NaN", "1,000", "-0", "๑๐"]),
)
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


def rows(ids):
    return st.fixed_dictionaries(
        {
            "id": st.one_of(
                st.sampled_from([str(i) for i in ids]), st.sampled_from(["", "999999", "x"])
            ),
            "workstream": st.sampled_from(["gi_promotion", ""]),
            "name": st.one_of(texts, st.sampled_from(["ผู้ขาย GI ออนไลน์", ""])),
            "metric": st.one_of(st.sampled_from(TargetMetric.values), texts),
            "target_value": values,
            "unit": st.one_of(st.just("shops"), texts),
            "period_start": dates,
            "due_date": dates,
        }
    )


def to_csv(header, data, encoding, newline):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    for row in data:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode(encoding, errors="replace")


def files(ids):
    header = st.one_of(
        st.just(COLUMNS),
        st.permutations(COLUMNS),
        st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8),  # missing or repeated columns
    )
    structured = st.builds(
        to_csv,
        header,
        st.lists(rows(ids), max_size=6),
        st.sampled_from(["utf-8", "utf-8-sig", "cp874", "latin-1"]),
        st.sampled_from(["\n", "\r\n"]),
    )
    return st.one_of(structured, st.binary(max_size=400))


def written_as_in_file(data: bytes) -> bool:
    """After a clean import every row with an existing id holds the file's values."""
    dataset = CSV().create_dataset(data)
    for row in dataset.dict:
        target = Target.objects.get(pk=row["id"])
        if target.name != row["name"] or target.unit != row["unit"]:
            return False
    return True


@settings(max_examples=ADMIN_EXAMPLES * 3)
@given(data=st.data())
def test_resource_import_is_all_or_nothing(targets, data):
    content = data.draw(files([t.pk for t in targets]))
    with transaction.atomic():
        before = snapshot()
        try:
            dataset = CSV().create_dataset(content)
        except Exception as error:  # the admin shows this as "cannot read the file"
            assert snapshot() == before, error
            transaction.set_rollback(True)
            return
        result = TargetResource().import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        if result.has_errors() or result.has_validation_errors():
            assert snapshot() == before
            messages = (
                [str(e.error) for e in result.base_errors]
                + [str(m) for row in result.invalid_rows for m in row.error_dict.values()]
                + [str(e.error) for _, errors in result.row_errors() for e in errors]
            )
            assert messages and all(messages)
        else:
            assert written_as_in_file(content)
        transaction.set_rollback(True)


@settings(max_examples=ADMIN_EXAMPLES)
@given(data=st.data())
def test_admin_import_view_never_fails_and_writes_all_or_nothing(
    targets, data, client_for, supervisor
):
    client = client_for(supervisor)
    content = data.draw(files([t.pk for t in targets]))
    with transaction.atomic():
        before = snapshot()
        response = client.post(
            reverse("admin:portal_target_import"),
            {"import_file": SimpleUploadedFile("targets.csv", content), "format": "0"},
        )
        assert response.status_code == 200
        assert "Traceback" not in response.content.decode()  # never shown to the user
        confirm = response.context.get("confirm_form") if response.context else None
        assert snapshot() == before  # the first step only validates
        if confirm is None:
            page = response.content.decode()
            markers = (
                "errornote",
                "errorlist",
                "validation-error",
                'class="errors"',
                "import-error",
                "<h2>",  # import-export's "Errors" list of whole-file problems
            )
            assert any(marker in page for marker in markers), page[-3000:]
        else:
            done = client.post(reverse("admin:portal_target_process_import"), confirm.initial)
            assert done.status_code == 302
            assert written_as_in_file(content)
        transaction.set_rollback(True)


@pytest.mark.parametrize("content", [b"\r\nname,unit\r\nx,y\r\n", b",,\nx,y,z\n"])
def test_a_file_whose_first_line_names_no_column_is_refused_clearly(
    targets, client_for, supervisor, content
):
    with translation.override("en"), pytest.raises(UnreadableFileError, match="first line"):
        CSV().create_dataset(content)
    before = snapshot()
    client = client_for(supervisor)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:portal_target_import"),
        {"format": "0", "import_file": SimpleUploadedFile("targets.csv", content)},
    )
    assert response.status_code == 200
    assert "first line" in response.content.decode()
    assert snapshot() == before
