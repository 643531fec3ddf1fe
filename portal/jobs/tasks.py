from celery import shared_task

from portal.jobs.services import JobRunningElsewhere, import_job_run, jobs_recover_stalled


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_import_job(self, job_id: int) -> None:
    """Thin: fetch the job by id and run it.

    Acknowledged only once it has run: a worker killed meanwhile leaves the task with the broker,
    which hands it out again after the visibility timeout (at once when only a pool process was
    killed). The job's claim lets a delivered task run only a queued job or one whose worker has
    gone silent; while the job's heartbeat is still fresh the task is tried again once it would
    be stale, so a job whose worker died never stays "running".
    """
    try:
        import_job_run(job_id=job_id)
    except JobRunningElsewhere as busy:
        raise self.retry(countdown=busy.retry_in, max_retries=None) from None


@shared_task(ignore_result=True)
def recover_stalled_jobs() -> dict[str, int]:
    """Beat, every minute: queue again (or fail) the jobs whose worker or message was lost."""
    return jobs_recover_stalled()
