from celery import shared_task

from portal.dashboard import services


@shared_task(ignore_result=True)  # queued by requests and saves too: no result to wait for
def take_snapshots():
    """Keep the dashboard's figures fresh: queued once a change moves a figure (at most one
    queued at a time), and by the beat as a safety net; the daily snapshots build the trend."""
    return [str(snapshot) for snapshot in services.snapshots_take_all()]


@shared_task(ignore_result=True)  # queued by a request: no result to wait for
def build_report(job_id: str):
    """Build one queued report (a failure is recorded on the job, shown to its owner)."""
    return services.report_job_run(job_id=job_id)
