"""The job pages in the admin: the import page hands big files over, status, errors, export."""

import csv
import io
import json

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.urls import reverse

from portal.choices import TargetMetric
from portal.jobs.choices import JobState
from portal.jobs.models import Job, JobError
from portal.models import Target

IMPORT_URL = reverse("admin:portal_target_import")


def target_file(workstream, targets, *, change):
    """The columns of the portal's TargetResource (keyed by id)."""
    rows = [
        (t.pk, "", change(t), t.metric, "15", t.unit, "2026-01-01", "2026-12-31") for t in targets
    ]
    headers = ["id", "workstream", "name", "metric", "target_value", "unit"]
    headers += ["period_start", "due_date"]
    raw = tablib.Dataset(*rows, headers=headers).export("csv").encode("utf-8-sig")
    return SimpleUploadedFile("targets.csv", raw, content_type="text/csv")


@pytest.fixture
def targets(workstream):
    return Target.objects.bulk_create(
        Target(
            workstream=workstream,
            name=f"KPI {i}",
            metric=TargetMetric.values[0],
            target_value=10,
            unit="cases",
            period_start="2026-01-01",
            due_date="2026-12-31",
        )
        for i in range(12)
    )


def test_a_large_file_goes_to_a_job_from_the_same_import_page(
    client_for,
    supervisor,
    workstream,
    targets,
    settings,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 10
    client = client_for(supervisor)
    upload = target_file(workstream, targets, change=lambda t: t.name + " (new)")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"format": 0, "import_file": upload, "resource": 0})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, list(job.errors.values_list("row", "reason"))
    assert (job.rows_updated, job.created_by) == (12, supervisor)
    assert Target.objects.filter(name__endswith="(new)").count() == 12


def test_a_small_file_keeps_the_immediate_confirm_step(
    client_for, supervisor, workstream, targets, settings
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 100
    client = client_for(supervisor)
    upload = target_file(workstream, targets[:3], change=lambda t: t.name + "!")
    response = client.post(IMPORT_URL, {"format": 0, "import_file": upload, "resource": 0})
    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert not Job.objects.exists()


def test_rows_are_counted_as_records_not_lines(
    client_for, supervisor, workstream, targets, settings
):
    """A cell of several lines (a case's item URLs, as the export writes them) is one row: a
    file of 3 rows and 9 lines stays on the page under a threshold of 5 rows; 6 rows go to a
    job."""
    settings.IMPORT_JOB_THRESHOLD_ROWS = 5
    client = client_for(supervisor)
    upload = target_file(workstream, targets[:3], change=lambda t: f"{t.name}\nline 2\nline 3")
    assert upload.read().count(b"\n") > 5
    upload.seek(0)
    response = client.post(IMPORT_URL, {"format": 0, "import_file": upload, "resource": 0})
    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert not Job.objects.exists()

    upload = target_file(workstream, targets[:6], change=lambda t: t.name + "!")
    response = client.post(IMPORT_URL, {"format": 0, "import_file": upload, "resource": 0})
    assert response.status_code == 302 and Job.objects.count() == 1


def test_a_file_the_reader_refuses_is_reported_on_the_page_not_sent_to_a_job(
    client_for, supervisor, settings
):
    """Counting a file's records reads it: a file with more lines than the threshold that
    cannot be read (a row with more cells than the header) gets the page's message."""
    settings.IMPORT_JOB_THRESHOLD_ROWS = 5
    raw = ("name,unit\n" + "a,b\n" * 7 + "a,b,c,d\n").encode()
    upload = SimpleUploadedFile("targets.csv", raw, content_type="text/csv")
    response = client_for(supervisor).post(
        IMPORT_URL, {"format": 0, "import_file": upload, "resource": 0}
    )
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert "แถวที่ 9 มี 4 ช่อง แต่แถวหัวตารางมี 2 ช่อง" in response.content.decode()
    assert not Job.objects.exists()


def test_the_import_page_refuses_a_user_without_import_permission(
    client_for, manager, workstream, targets, settings
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 1
    upload = target_file(workstream, targets, change=lambda t: "x")
    response = client_for(manager).post(IMPORT_URL, {"format": 0, "import_file": upload})
    assert response.status_code == 403
    assert not Job.objects.exists()


@pytest.fixture
def officers_job(officer, workstream):
    from django.contrib.contenttypes.models import ContentType

    job = Job.objects.create(
        kind="import",
        content_type=ContentType.objects.get_for_model(Target),
        resource="tests.jobs.resources.TargetImportResource",
        file_name="targets.csv",
        created_by=officer,
        state=JobState.RUNNING,
        phase="validating",
        rows_total=200,
        rows_validated=100,
    )
    return job


def status_url(job):
    return reverse("admin:jobs_job_status", args=[job.pk])


def test_the_status_endpoint_reports_progress(client_for, officer, officers_job):
    response = client_for(officer).get(status_url(officers_job))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert (body["state"], body["percent"], body["finished"]) == ("running", 25, False)
    # the rows are counted as the file is read: an estimate until the job ends
    assert (body["rows_total"], body["rows_total_text"]) == (200, "≈ 200")
    page = client_for(officer).get(reverse("admin:jobs_job_change", args=[officers_job.pk]))
    assert '<span id="job-rows-total">≈ 200</span>' in page.content.decode()
    assert "no-store" in response["Cache-Control"]
    Job.objects.filter(pk=officers_job.pk).update(rows_validated=200, rows_written=100)
    assert json.loads(client_for(officer).get(status_url(officers_job)).content)["percent"] == 75


@pytest.mark.parametrize(
    "who, status", [("supervisor", 200), ("manager", 200), ("liaison", 403), ("outsider", 403)]
)
def test_who_may_see_a_job(client_for, role_users, officers_job, who, status):
    client = client_for(role_users[who])
    assert client.get(status_url(officers_job)).status_code == status
    change = reverse("admin:jobs_job_change", args=[officers_job.pk])
    assert client.get(change).status_code in ((200,) if status == 200 else (302, 403))


def test_another_officer_cannot_see_my_job(client_for, django_user_model, officers_job):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("other", password="pw", is_staff=True)
    other.groups.add(Group.objects.get(name="DIP Officer"))
    client = client_for(other)
    assert client.get(status_url(officers_job)).status_code == 404
    assert client.get(reverse("admin:jobs_job_errors", args=[officers_job.pk])).status_code == 404
    listing = client.get(reverse("admin:jobs_job_changelist"))
    assert listing.status_code == 200 and "targets.csv" not in listing.content.decode()


def test_nobody_adds_or_edits_a_job_by_hand(client_for, supervisor, officers_job):
    client = client_for(supervisor)
    assert client.get(reverse("admin:jobs_job_add")).status_code == 403
    change = reverse("admin:jobs_job_change", args=[officers_job.pk])
    client.post(change, {"state": "succeeded"})
    officers_job.refresh_from_db()
    assert officers_job.state == JobState.RUNNING


def test_the_job_page_polls_from_a_static_script(client_for, officer, officers_job):
    page = client_for(officer).get(reverse("admin:jobs_job_change", args=[officers_job.pk]))
    html = page.content.decode()
    assert 'id="job-progress-bar"' in html and 'value="25"' in html
    assert "jobs/job-progress.js" in html
    assert 'id="job-status" type="application/json"' in html
    assert status_url(officers_job) in html
    assert "onclick" not in html


def test_the_error_report_is_a_csv_of_row_column_reason(client_for, officer, officers_job):
    JobError.objects.bulk_create(
        [
            JobError(job=officers_job, row=7, column="target_value", reason="=1+2 is not a number"),
            JobError(job=officers_job, row=2, column="metric", reason="not a valid choice"),
        ]
    )
    response = client_for(officer).get(reverse("admin:jobs_job_errors", args=[officers_job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [
        ["2", "metric", "not a valid choice"],
        ["7", "target_value", "'=1+2 is not a number"],
    ]


@pytest.mark.parametrize("count", [3, 30])
def test_the_job_list_does_not_count_queries_per_row(
    client_for, supervisor, officers_job, count, django_assert_max_num_queries
):
    for _ in range(count - 1):
        officers_job.pk = None
        officers_job.save()
    client = client_for(supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:jobs_job_changelist"))
    assert response.status_code == 200


def test_a_csv_export_is_streamed_and_escaped(client_for, supervisor, targets):
    Target.objects.filter(pk=targets[0].pk).update(name="=HYPERLINK(1)")
    response = client_for(supervisor).post(
        reverse("admin:portal_target_export"),
        {"format": 0, "resource": 0, **{f"targetresource_{f}": "on" for f in ("id", "name")}},
    )
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "name"]
    assert len(rows) == 13
    assert "'=HYPERLINK(1)" in {row[1] for row in rows}


def test_a_failed_job_page_lists_its_first_errors_and_links_the_report(
    client_for, officer, officers_job
):
    Job.objects.filter(pk=officers_job.pk).update(
        state=JobState.FAILED, phase="done", error_count=2, message="2 problems"
    )
    JobError.objects.create(job=officers_job, row=4, column="metric", reason="<b>bad</b>")
    page = client_for(officer).get(reverse("admin:jobs_job_change", args=[officers_job.pk]))
    html = page.content.decode()
    assert reverse("admin:jobs_job_errors", args=[officers_job.pk]) in html
    assert "&lt;b&gt;bad&lt;/b&gt;" in html  # escaped
    assert '"finished": true' in html
