import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.choices import TargetMetric
from portal.dashboard import reports
from portal.dashboard.choices import ReportStatus
from portal.dashboard.models import ReportJob
from portal.dashboard.presentation import scalar_rows
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db
REPORT = reverse("admin:dashboard_report")


def sheet_values(sheet) -> dict:
    """Label -> value of the 'Figure, Value' block (what the page shows as figures)."""
    values, inside = {}, False
    for row in sheet.iter_rows(values_only=True):
        if not inside:
            inside = row[:4] == ("Figure", "Value", "Unit", "Counted over")
            continue
        if not row or row[0] is None:
            break
        values[row[0]] = row[1]
    return values


@pytest.fixture
def data():
    b.target(TargetMetric.PROMOTION_ACTIVITIES, 4, name='=HYPERLINK("http://evil")')
    b.product()
    b.activity(date(2026, 1, 5), gmv="1200.50", title="=cmd|' /C calc'!A0", views=7)
    b.activity(date(2026, 2, 5), gmv="300", title="+plus", views=3)
    course = b.course()
    session = b.session(course, b.at(date(2026, 3, 1)))
    b.attendance(session, b.participant(), attended=True, completed=True)
    b.attendance(session, b.participant())
    b.consultation(date(2026, 3, 2))


def test_manager_downloads_a_workbook_with_the_page_figures(data, manager, client_for):
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("admin:dashboard"))
    response = client.post(REPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "MOU targets",
        "GI promotion",
        "Takedowns",
        "Monitoring sweeps",
        "Capacity building",
    ]
    for section in page.context["sections"]:
        if not section["available"]:
            continue
        sheet = workbook[reports.sheet_title(section["key"])]
        expected = {tile["label"]: tile["value"] for tile in section["scalars"]}
        assert sheet_values(sheet) == expected, section["key"]
    gi = sheet_values(workbook["GI promotion"])
    assert gi["GMV"] == 1500.5 and gi["Promotion activities"] == 2
    targets = list(workbook["MOU targets"].iter_rows(values_only=True))
    assert any(row[1] == '\'=HYPERLINK("http://evil")' and row[4] == 2 for row in targets)


def test_formula_cells_are_escaped_in_the_rows_behind_the_figures(data, manager, client_for):
    response = client_for(manager).post(REPORT, {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    titles = [row[2] for row in workbook.worksheets[1].iter_rows(values_only=True) if len(row) > 2]
    assert "'=cmd|' /C calc'!A0" in titles and "'+plus" in titles
    assert not any(isinstance(t, str) and t.startswith(("=", "+")) for t in titles)


def test_csv_of_one_part_and_zip_of_all(data, manager, client_for):
    client = client_for(manager)
    response = client.post(REPORT, {"format": "csv", "section": "gi"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[2] for r in rows if len(r) > 2 and "calc" in r[2]] == ["'=cmd|' /C calc'!A0"]
    response = client.post(REPORT, {"format": "csv"})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "gi.csv",
        "monitoring.csv",
        "takedowns.csv",
        "targets.csv",
        "training.csv",
    ]


def test_liaison_report_holds_only_takedowns(data, liaison, client_for):
    client = client_for(liaison)
    response = client.post(REPORT, {"format": "xlsx", "workstream": "gi_promotion"})
    assert response.status_code == 200
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 1
    assert client.post(REPORT, {"format": "csv", "section": "gi"}).status_code == 403


def test_bad_report_requests(manager, client_for):
    client = client_for(manager)
    assert client.post(REPORT, {"format": "pdf"}).status_code == 400
    assert client.post(REPORT, {"format": "xlsx", "date_from": "2026-13-01"}).status_code == 400
    assert client.get(REPORT).status_code == 405


def test_a_large_report_goes_to_a_task_with_progress_and_a_download_link(
    data, manager, officer, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reports, "STREAM_MAX_ROWS", 2)
    monkeypatch.setattr(reports, "PROGRESS_EVERY", 1)
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REPORT, {"format": "xlsx", "date_from": "2026-01-01"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:dashboard_report_job", args=[job.pk])
    assert job.status == ReportStatus.DONE and job.progress == 100
    status = client.get(response["Location"] + "?format=json").json()
    assert status["status"] == "done" and status["download"]
    page = client.get(response["Location"]).content.decode()
    assert 'id="report-progress"' in page
    download = client.get(status["download"])
    workbook = load_workbook(io.BytesIO(download.content))
    assert len(workbook.worksheets) == 5
    assert workbook.worksheets[1].max_row > 10  # the GI figures and the rows behind them
    # Someone else's report is not found, even by a role that may see the dashboard.
    other = client_for(officer)
    assert other.get(status["download"]).status_code == 404


def test_a_job_runs_once_and_a_failure_is_shown(manager, monkeypatch):
    from portal.dashboard import services
    from portal.dashboard.selectors import Scope

    job = ReportJob.objects.create(requested_by=manager, format="xlsx", scope=Scope().as_dict())
    monkeypatch.setattr(
        reports, "build_xlsx", lambda *a, **k: (_ for _ in ()).throw(OSError("disk"))
    )
    assert services.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED and "disk" in job.error
    assert services.report_job_run(job_id=job.pk) is False  # not claimed twice


def test_scalar_rows_follow_the_declared_order():
    data = {"products": 1, "products_promoted": 1, "sellers": 2}
    keys = [tile["key"] for tile in scalar_rows("gi", data)]
    assert keys[:3] == ["products", "products_promoted", "sellers"]


def test_the_workbook_holds_the_figures_the_page_shows_even_from_a_snapshot(manager, client_for):
    from portal.dashboard import services

    snapshot = services.snapshot_take(scope_key="full")
    b.activity(date(2026, 1, 5), gmv="999")  # after the snapshot: neither page nor report has it
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(REPORT, {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    gi = sheet_values(workbook.worksheets[1])
    assert gi["Promotion activities"] == 0
    computed = [
        r for r in workbook.worksheets[1].iter_rows(values_only=True) if r[0] == "Computed at"
    ]
    # a date-time cell in Bangkok time (it was the raw UTC ISO text), said so beside it
    taken = datetime.fromisoformat(snapshot.figures["computed_at"])
    assert computed[0][1] == timezone.localtime(taken).replace(tzinfo=None, microsecond=0)
    assert computed[0][2] == "Bangkok time"


def test_a_liaison_cannot_open_a_managers_report_job(manager, liaison, client_for):
    from portal.dashboard.selectors import Scope

    job = ReportJob.objects.create(
        requested_by=manager, format="xlsx", scope=Scope().as_dict(), status="done", content=b"x"
    )
    client = client_for(liaison)
    assert client.get(reverse("admin:dashboard_report_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("admin:dashboard_report_download", args=[job.pk])).status_code == 404
    # Even a job of their own made while they could see everything stays closed once they cannot.
    job.requested_by = liaison
    job.save()
    assert client.get(reverse("admin:dashboard_report_download", args=[job.pk])).status_code == 403


def test_stale_dashboard_report_cells_are_dates_names_and_whole_numbers(manager, client_for):
    """Issue 25 item 2: dates were text, sweeps numeric ids, targets "200.0"."""
    from takedowns.models import MonitoringSweep

    b.target(TargetMetric.PROMOTION_ACTIVITIES, 200, name="activities")
    manager.first_name, manager.last_name = "Somchai", "Jaidee"
    manager.save()
    sweep = MonitoringSweep.objects.create(
        officer=manager,
        swept_on=date(2026, 3, 2),
        keywords="ปลอม",
        searched_shop=True,
        minutes_spent=30,
    )
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(REPORT, {"format": "xlsx", "date_from": "2026-01-01"})
    workbook = load_workbook(io.BytesIO(response.content))
    targets = list(workbook.worksheets[0].iter_rows(values_only=True))
    filters = next(r for r in targets if r[0] == "Filters")
    assert filters[1] == datetime(2026, 1, 1)  # a date cell
    row = next(r for r in targets if r[1] == "activities")
    assert row[3] == 200 and isinstance(row[3], int)
    assert row[7:10] == (datetime(2026, 1, 1), datetime(2027, 12, 31), datetime(2027, 12, 31))
    assert row[10] == "The whole target: its whole period is counted."
    monitoring = next(ws for ws in workbook.worksheets if "onitor" in ws.title)
    line = next(r for r in monitoring.iter_rows(values_only=True) if r[0] == sweep.reference)
    assert line[1] == datetime(2026, 3, 2) and line[2] == "Somchai Jaidee"
