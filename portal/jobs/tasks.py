from celery import shared_task

from portal.jobs.services import import_job_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> None:
    """Thin: fetch the job by id and run it; a redelivered job starts again from nothing."""
    import_job_run(job_id=job_id)
