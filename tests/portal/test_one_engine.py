"""Issue 23, "One engine": the same file gets the same outcome and messages at every door.

For every model the admin imports, files made from its own export (unchanged; one value
changed; a bad cell at the start, middle and end; a key repeated inside the file; the same rows as
Excel types them, digits as numbers and dates as date cells) go through the import page's
immediate import and through the same page when the file goes to a background job
(``IMPORT_JOB_THRESHOLD_*`` lowered to 0). Both must answer alike: the same counts, or the same
(row, column, message) list, rows numbered as the file numbers them.
"""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import models, transaction
from django.urls import reverse

from portal.import_admin import PortalImportExportMixin
from portal.jobs.models import Job, JobError
from portal.jobs.services import import_job_run

pytestmark = pytest.mark.django_db(transaction=False)

CSV_FORMAT, XLSX_FORMAT = "0", "1"
BAD = "✗ not a value"
DIGITS = re.compile(r"^\d+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def importable_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, PortalImportExportMixin)
    ]


#: Rows an import may touch at all: items of a case still taking items, findings not yet a case
#: (the others are refused by their own rules, at every door alike).
STILL_EDITABLE = {
    "InfringingItem": {
        "is_open": True,
        "case__state__in": ["draft", "dip_review", "ready_to_forward"],
    },
    "SweepFinding": {"case__isnull": True},
}


def exported_rows(model_admin, count=4):
    resource = model_admin.resource_classes[0]()
    still_editable = STILL_EDITABLE.get(model_admin.model.__name__, {})
    queryset = resource.get_queryset().filter(**still_editable).order_by("pk")[:count]
    dataset = resource.export(queryset=queryset)
    return list(dataset.headers), [list(row) for row in dataset]


def breakable_column(model_admin, headers) -> str:
    """A column a wrong word always breaks: a date, a number or a choice."""
    resource = model_admin.resource_classes[0]()
    for field in resource.get_import_fields():
        if field.readonly or field.column_name not in headers or not field.attribute:
            continue
        try:
            model_field = resource._meta.model._meta.get_field(field.attribute)
        except Exception:
            continue
        if model_field.choices or isinstance(
            model_field, models.DateField | models.IntegerField | models.DecimalField
        ):
            return field.column_name
    raise AssertionError(f"{model_admin.model.__name__}: no date, number or choice column")


def csv_bytes(headers, rows) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def excel_typed_xlsx(headers, rows) -> bytes:
    """The rows as Excel keeps them once typed: digits are numbers (a leading 0 lost), an ISO
    date a date cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else str(value)
            if DIGITS.match(text) and len(text) < 16:
                cells.append(int(text))
            elif ISO_DATE.match(text):
                cells.append(date.fromisoformat(text))
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def files_for(model_admin):
    headers, rows = exported_rows(model_admin)
    assert len(rows) >= 3, f"{model_admin.model.__name__}: the demo data has too few rows"
    column = breakable_column(model_admin, headers)
    at = headers.index(column)
    bad = [list(row) for row in rows]
    for index in (0, len(bad) // 2, len(bad) - 1):
        bad[index][at] = BAD
    return {
        "unchanged": ("csv", csv_bytes(headers, rows)),
        "bad rows at the start, middle and end": ("csv", csv_bytes(headers, bad)),
        "a key twice in the file": ("csv", csv_bytes(headers, [*rows, rows[0]])),
        "cells typed by Excel": ("xlsx", excel_typed_xlsx(headers, rows)),
    }


def outcome_of_page(response) -> tuple:
    """What the import page answered: counts of a valid file, else its errors."""
    result = response.context["result"]
    errors = [(None, "", str(m)) for e in result.base_errors for m in e.error.messages]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            errors += [(row.number, "" if column == "__all__" else column, m) for m in messages]
    if errors:
        return ("refused", sorted(errors, key=repr))
    totals = result.totals
    return ("valid", totals["new"], totals["update"], totals["skip"])


def outcome_of_job(job: Job) -> tuple:
    if job.state == "succeeded":
        return ("valid", job.rows_new, job.rows_updated, job.rows_skipped)
    errors = [(e.row, e.column, e.reason) for e in JobError.objects.filter(job=job).order_by("pk")]
    return ("refused", sorted(errors, key=repr))


def post_file(client, model_admin, kind, content):
    opts = model_admin.model._meta
    upload = io.BytesIO(content)
    upload.name = f"file.{kind}"
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
        {
            "format": XLSX_FORMAT if kind == "xlsx" else CSV_FORMAT,
            "resource": "0",
            "import_file": upload,
        },
    )


@pytest.fixture
def demo_data(db):
    call_command("setup_roles", verbosity=0)
    call_command("demo_users", verbosity=0)
    call_command("demo_mou", verbosity=0)
    call_command("demo_catalog", verbosity=0)
    call_command("demo_takedowns", cases=12, verbosity=0)
    call_command("demo_sweeps", sweeps=3, verbosity=0)
    call_command("demo_training", participants=40, consultations=8, sessions=4, verbosity=0)


def test_one_engine_every_door_gives_the_same_outcome_and_messages(
    demo_data, django_user_model, client, settings
):
    superuser = django_user_model.objects.create_superuser("engine-admin", "a@example.org", "x")
    client.force_login(superuser)
    differences = []
    for model_admin in importable_admins():
        name = model_admin.model.__name__
        for case, (kind, content) in files_for(model_admin).items():
            settings.IMPORT_JOB_THRESHOLD_ROWS = settings.IMPORT_JOB_THRESHOLD_BYTES = 10**9
            page = outcome_of_page(post_file(client, model_admin, kind, content))
            settings.IMPORT_JOB_THRESHOLD_ROWS = settings.IMPORT_JOB_THRESHOLD_BYTES = 0
            with transaction.atomic():
                response = post_file(client, model_admin, kind, content)
                assert response.status_code == 302, (name, case)
                job = import_job_run(job_id=Job.objects.latest("pk").pk)
                in_job = outcome_of_job(job)
                transaction.set_rollback(True)
            if page != in_job:
                differences.append((name, case, page, in_job))
            expected = "valid" if case in ("unchanged", "cells typed by Excel") else "refused"
            if page[0] != expected:
                differences.append((name, case, "expected", expected, page))
            if case == "unchanged" and page[1:3] != (0, 0):
                differences.append((name, case, "an unchanged export is not skipped", page))
    assert not differences, "\n".join(map(repr, differences))
