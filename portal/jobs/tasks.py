from celery import shared_task

from portal.jobs.services import import_job_run


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_import_job(job_id: int) -> None:
    """Thin: fetch the job by id and run it.

    Acknowledged only once it has run: a worker killed meanwhile leaves the task with the broker,
    which hands it out again after the visibility timeout; the job's claim lets a redelivered
    task run only a job whose worker has gone silent, and it starts again from nothing.
    """
    import_job_run(job_id=job_id)
