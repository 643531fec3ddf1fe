"""Cancel an unfinished job, retry a failed or cancelled one: from the job's page, by its owner or a
supervisor only (checked on the server, whatever is POSTed), and a cancelled import writes nothing."""

import threading

import pytest
import tablib
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from portal import engine as importer_module
from portal.jobs import services
from portal.jobs.choices import JobState
from portal.jobs.models import Job
from portal.jobs.services import import_job_create, import_job_run, job_cancel
from portal.models import Target
from portal.roles import OFFICER
from tests.jobs.conftest import TARGET_HEADERS, target_rows
from tests.jobs.resources import TargetImportResource


def cancel_url(job):
    return reverse("admin:jobs_job_cancel", args=[job.pk])


def retry_url(job):
    return reverse("admin:jobs_job_retry", args=[job.pk])


def queued_job(user, workstream, django_capture_on_commit_callbacks, rows=3):
    raw = tablib.Dataset(*target_rows(workstream, rows), headers=list(TARGET_HEADERS))
    upload = SimpleUploadedFile("targets.csv", raw.export("csv").encode("utf-8-sig"))
    with django_capture_on_commit_callbacks():  # not handed to a worker: it stays queued
        return import_job_create(
            user=user, resource_class=TargetImportResource, upload=upload, file_format="csv"
        )


def committed_job(user, workstream, monkeypatch, rows=40):
    """A 40-row import job committed before it runs (in a transaction=True test), as a worker
    finds it; run here by hand, not by a worker."""
    monkeypatch.setattr(services, "job_enqueue", lambda job: True)
    ContentType.objects.clear_cache()  # ids cached before an earlier test's flush are gone
    raw = tablib.Dataset(*target_rows(workstream, rows), headers=list(TARGET_HEADERS))
    return import_job_create(
        user=user,
        resource_class=TargetImportResource,
        upload=SimpleUploadedFile("targets.csv", raw.export("csv").encode("utf-8-sig")),
        file_format="csv",
    )


def state(job):
    return Job.objects.values_list("state", flat=True).get(pk=job.pk)


@pytest.mark.django_db
def test_job_cancel_and_retry_only_by_its_owner_or_a_supervisor(
    role_users, client_for, workstream, django_user_model, django_capture_on_commit_callbacks
):
    officer, supervisor = role_users["officer"], role_users["supervisor"]
    job = queued_job(officer, workstream, django_capture_on_commit_callbacks)
    colleague = django_user_model.objects.create_user("officer2", password="pw", is_staff=True)
    colleague.groups.add(Group.objects.get(name=OFFICER))

    # crafted POSTs from everyone else change nothing
    assert client_for(colleague).post(cancel_url(job)).status_code == 404  # not even visible
    for role in ("manager", "liaison", "outsider"):  # the manager sees it, may not touch it
        assert client_for(role_users[role]).post(cancel_url(job)).status_code == 403, role
    assert state(job) == JobState.QUEUED
    page = client_for(role_users["manager"]).get(reverse("admin:jobs_job_change", args=[job.pk]))
    assert cancel_url(job) not in page.content.decode()

    client = client_for(officer)
    assert client.get(cancel_url(job)).status_code == 405  # never by a link
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert cancel_url(job) in page and retry_url(job) not in page
    assert client.post(cancel_url(job)).status_code == 302
    assert state(job) == JobState.CANCELLED

    for role in ("manager", "liaison", "outsider"):
        assert client_for(role_users[role]).post(retry_url(job)).status_code == 403, role
    assert client_for(colleague).post(retry_url(job)).status_code == 404
    assert state(job) == JobState.CANCELLED

    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process here
        assert client.post(retry_url(job)).status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and Target.objects.count() == 3

    # a supervisor may cancel and retry another user's job
    other = queued_job(officer, workstream, django_capture_on_commit_callbacks)
    client = client_for(supervisor)
    assert client.post(cancel_url(other)).status_code == 302
    assert state(other) == JobState.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry_url(other)).status_code == 302
    assert state(other) == JobState.SUCCEEDED and Target.objects.count() == 3  # same KPIs


@pytest.mark.django_db
def test_job_cancel_of_a_finished_job_and_retry_of_a_running_one_change_nothing(
    officer, client_for, workstream, django_capture_on_commit_callbacks
):
    job = queued_job(officer, workstream, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    client = client_for(officer)
    response = client.post(retry_url(job), follow=True)
    assert state(job) == JobState.RUNNING
    assert list(response.context["messages"])[0].level_tag == "warning"

    Job.objects.filter(pk=job.pk).update(state=JobState.SUCCEEDED)
    response = client.post(cancel_url(job), follow=True)
    assert state(job) == JobState.SUCCEEDED
    assert list(response.context["messages"])[0].level_tag == "warning"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.requires_postgres("another connection cancels while the import's transaction is open")
def test_job_cancel_while_the_import_writes_rolls_every_row_back(officer, workstream, monkeypatch):
    job = committed_job(officer, workstream, monkeypatch)
    original = importer_module.FileImporter._write

    def write_then_cancel_elsewhere(self, pending):
        original(self, pending)

        def cancel():  # the user's click, on the web server's own connection
            job_cancel(job=job, user=officer)
            connection.close()

        thread = threading.Thread(target=cancel)
        thread.start()
        thread.join()

    monkeypatch.setattr(importer_module.FileImporter, "_write", write_then_cancel_elsewhere)
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.CANCELLED and "officer" in job.message
    assert Target.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.requires_postgres("progress goes through a second connection")
def test_progress_of_a_committed_job_is_written_without_the_import_transaction(
    officer, workstream, monkeypatch
):
    """Progress inside the import's transaction goes through the side connection alone: a query
    on the import's own connection would wait for the rows being stored in the background."""
    job = committed_job(officer, workstream, monkeypatch)
    reports, asked_in_transaction = [], []
    report, still_ours = services._ProgressReporter.__call__, services._ProgressReporter.still_ours

    def counted_report(self, phase, done):
        reports.append(phase)
        return report(self, phase, done)

    def counted_still_ours(self):
        if connection.in_atomic_block and reports:
            asked_in_transaction.append(reports[-1])
        return still_ours(self)

    monkeypatch.setattr(services._ProgressReporter, "__call__", counted_report)
    monkeypatch.setattr(services._ProgressReporter, "still_ours", counted_still_ours)
    job = import_job_run(job_id=job.pk)
    assert job.state == JobState.SUCCEEDED and Target.objects.count() == 40
    assert reports == ["validating", "writing"]
    assert asked_in_transaction == ["writing"]  # the job's own final update (_finish), only
