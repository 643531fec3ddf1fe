from celery import shared_task

from portal.dashboard import services


@shared_task
def take_snapshots():
    """Beat: keep today's snapshot of the dashboard's figures fresh (and build the trend lines)."""
    return [str(snapshot) for snapshot in services.snapshots_take_all()]


@shared_task
def build_report(job_id: str):
    """Build one queued report (a failure is recorded on the job, shown to its owner)."""
    return services.report_job_run(job_id=job_id)
