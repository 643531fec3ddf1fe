"""The broker is unreachable (nothing listens on its port) when a request queues a job: the request
answers at once with a translated message, the job is failed with the reason, nothing else is
written, and the job can be retried from its page once the broker is back."""

from datetime import timedelta

import pytest
import tablib
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from portal.celery import app
from portal.choices import TargetMetric
from portal.dashboard import reports
from portal.dashboard import services as dashboard_services
from portal.dashboard.choices import ReportStatus
from portal.dashboard.models import ReportJob, Snapshot
from portal.jobs.choices import JobState
from portal.jobs.models import Job, JobError
from portal.models import Target

# Nothing listens on port 1: a connection there is refused at once, as when the broker is down.
DOWN = "redis://127.0.0.1:1/0"
IMPORT_URL = reverse("admin:portal_target_import")
PERIOD = ("2026-01-01", "2026-12-31")
QUEUED_BY_REQUESTS = (
    "portal.jobs.tasks.run_import_job",
    "portal.dashboard.tasks.build_report",
    "portal.dashboard.tasks.take_snapshots",
)
TARGET = {
    "metric": TargetMetric.values[0],
    "target_value": 10,
    "unit": "cases",
    "period_start": PERIOD[0],
    "due_date": PERIOD[1],
}

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def broker_down(tmp_path, settings):
    """Tasks go to a broker that refuses connections (not run in-process, as in other tests)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ContentType.objects.clear_cache()  # ids cached before an earlier test's flush are gone
    # broker_write_url: a CELERY_BROKER_URL in the environment (as on CI) wins over broker_url
    before = app.conf.broker_write_url, app.conf.task_always_eager
    app.conf.broker_write_url, app.conf.task_always_eager = DOWN, False
    app._pool = app.amqp._producer_pool = None  # connect again, to the broker set above
    yield
    app.conf.broker_write_url, app.conf.task_always_eager = before
    app._pool = app.amqp._producer_pool = None


@pytest.fixture
def targets(workstream):
    return Target.objects.bulk_create(
        Target(workstream=workstream, name=f"KPI {i}", **TARGET) for i in range(5)
    )


def renaming_upload(targets):
    """The admin's TargetResource columns (keyed by id): every target gets a new name."""
    rows = [(t.pk, "", f"{t.name} (new)", t.metric, "15", t.unit, *PERIOD) for t in targets]
    headers = ["id", "workstream", "name", "metric", "target_value", "unit"]
    raw = tablib.Dataset(*rows, headers=[*headers, "period_start", "due_date"])
    return SimpleUploadedFile("targets.csv", raw.export("csv").encode("utf-8-sig"))


def renamed():
    return Target.objects.filter(name__endswith="(new)").count()


def thai(message: str) -> str:
    with translation.override("th"):
        translated = translation.gettext(message)
    assert translated != message, f"no Thai for {message!r}"
    return translated


QUEUE_DOWN_IMPORT = (
    "The background queue cannot be reached, so the import did not start and nothing was "
    "written. Try again in a few minutes with Retry; if it fails again, tell the administrator."
)
QUEUE_DOWN_REPORT = (
    "The background queue cannot be reached, so the report was not started. Try again in a few "
    "minutes; if it fails again, tell the administrator."
)


def test_broker_unreachable_publishing_gives_up_within_a_second_and_waits_for_no_result():
    """The settings that make it fast: one short connection attempt, one quick retry, no result
    backend (the job row holds the outcome)."""
    assert app.conf.broker_connection_timeout <= 0.5
    policy = app.conf.task_publish_retry_policy
    assert policy["max_retries"] <= 1 and policy["interval_max"] <= 0.2
    assert app.conf.broker_transport_options["socket_connect_timeout"] <= 0.5
    for path in QUEUED_BY_REQUESTS:
        assert import_string(path).ignore_result, path


def test_broker_unreachable_import_fails_fast_and_marks_job_failed(
    broker_down, client_for, supervisor, targets, settings, record_fault
):
    """On today's main this request waited ~19 s for the result backend, then answered 500 and
    left the job queued for ever (bench/broker_down.py measures it)."""
    settings.IMPORT_JOB_THRESHOLD_ROWS = 1
    client = client_for(supervisor)  # DIP staff work in Thai
    response = client.post(
        IMPORT_URL, {"format": 0, "import_file": renaming_upload(targets), "resource": 0}
    )
    record_fault()
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert job.message == thai(QUEUE_DOWN_IMPORT)
    assert renamed() == 0 and not JobError.objects.exists()

    page = client.get(response["Location"]).content.decode()
    assert thai(QUEUE_DOWN_IMPORT) in page  # the message, once as a message and on the job
    assert reverse("admin:jobs_job_retry", args=[job.pk]) in page

    # The broker is back (tasks run in-process again): Retry runs the same file to the end.
    app.conf.task_always_eager = True
    response = client.post(reverse("admin:jobs_job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.message == "", job.message
    assert renamed() == 5


def test_broker_unreachable_retry_fails_fast_again_and_keeps_the_job_failed(
    broker_down, client_for, supervisor, targets, settings
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 1
    client = client_for(supervisor)
    client.post(IMPORT_URL, {"format": 0, "import_file": renaming_upload(targets), "resource": 0})
    job = Job.objects.get()
    response = client.post(reverse("admin:jobs_job_retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.message == thai(QUEUE_DOWN_IMPORT)
    assert thai(QUEUE_DOWN_IMPORT) in response.content.decode()
    assert renamed() == 0


def test_broker_unreachable_report_fails_fast_and_marks_job_failed(
    broker_down, client_for, manager, monkeypatch, record_fault
):
    monkeypatch.setattr(reports, "STREAM_MAX_ROWS", -1)  # every report goes to a job
    client = client_for(manager)
    response = client.post(reverse("admin:dashboard_report"), {"format": "xlsx"})
    record_fault()
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:dashboard_report_job", args=[job.pk])
    assert job.status == ReportStatus.FAILED and job.finished_at is not None
    assert job.error == thai(QUEUE_DOWN_REPORT)  # a manager works in Thai
    assert job.content is None and not job.filename
    page = client.get(response["Location"]).content.decode()
    assert job.error in page


def test_broker_unreachable_dashboard_shows_the_older_figures_and_tries_again_later(
    broker_down, client_for, manager, settings
):
    """A stale snapshot would be refreshed by a task: with the broker down the page still opens,
    with the older figures, and the next request tries to queue the refresh again."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete("dashboard:recompute-queued")  # an earlier test's queued recompute is not ours
    snapshot = dashboard_services.snapshot_take(scope_key="full")
    stale = timezone.now() - dashboard_services.SNAPSHOT_MAX_AGE - timedelta(minutes=1)
    Snapshot.objects.filter(pk=snapshot.pk).update(taken_at=stale)
    client = client_for(manager)
    assert client.get(reverse("admin:dashboard")).status_code == 200
    assert Snapshot.objects.get(pk=snapshot.pk).taken_at == stale  # no refresh ran
    assert cache.get("dashboard:recompute-queued") is None  # let go: the next one tries again
