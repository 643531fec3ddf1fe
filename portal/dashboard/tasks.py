from celery import shared_task

from portal.dashboard import services


@shared_task
def take_snapshots():
    """Beat: keep today's snapshot of the dashboard's figures fresh (and build the trend lines)."""
    return [str(snapshot) for snapshot in services.snapshots_take_all()]


@shared_task(ignore_result=True)  # queued by a request: no result to wait for
def take_snapshot(scope_key: str):
    """Refresh one scope's snapshot (queued by the page when it finds the snapshot stale)."""
    return str(services.snapshot_take(scope_key=scope_key))


@shared_task(ignore_result=True)  # queued by a request: no result to wait for
def build_report(job_id: str):
    """Build one queued report (a failure is recorded on the job, shown to its owner)."""
    return services.report_job_run(job_id=job_id)


@shared_task(ignore_result=True)  # queued by a request: no result to wait for
def refresh_case_days():
    """Rebuild the takedown counts per day (queued by a filtered view that found them stale)."""
    return services.case_days_refresh().isoformat()
