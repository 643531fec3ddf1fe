"""Writes of the dashboard: snapshots of the figures, and report jobs."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.dashboard.choices import ReportFormat, ReportStatus
from portal.dashboard.models import CaseDay, CaseDayRefresh, ReportJob, Snapshot, SnapshotScope
from portal.dashboard.selectors import (
    Scope,
    case_day_rows,
    case_days_as_of,
    compute_figures,
    local_start,
    platform_repeat_infringers,
)
from portal.queueing import queue_on_commit

logger = logging.getLogger(__name__)

#: A snapshot younger than this is shown as is (the beat task takes one every 10 minutes).
SNAPSHOT_MAX_AGE = timedelta(minutes=15)
#: Filtered views are cached this long (seconds); the page shows when they were computed.
FILTERED_CACHE_SECONDS = 300

SNAPSHOT_SCOPES = {
    SnapshotScope.FULL: Scope(),
    SnapshotScope.PLATFORM: Scope(platform_only=True),
}


def snapshot_scope_of(scope: Scope) -> str:
    return SnapshotScope.PLATFORM if scope.platform_only else SnapshotScope.FULL


#: Sections whose figures read the takedown counts of ``CaseDay``.
CASE_DAY_SECTIONS = frozenset({"targets", "takedowns", "monitoring"})


def case_days_refresh() -> datetime:
    """Rebuild ``CaseDay`` (the takedown cases counted per day) from the cases, in one
    transaction; one rebuild at a time (a lock on the row that says when it was done). Returns the
    moment the counts are as of (taken before counting)."""
    as_of = timezone.now()
    with transaction.atomic():
        CaseDayRefresh.objects.get_or_create(pk=1, defaults={"refreshed_at": as_of})
        CaseDayRefresh.objects.select_for_update().get(pk=1)
        rows = [CaseDay(**row) for row in case_day_rows()]
        top = platform_repeat_infringers()
        CaseDay.objects.all().delete()
        CaseDay.objects.bulk_create(rows, batch_size=5000)
        CaseDayRefresh.objects.filter(pk=1).update(
            refreshed_at=as_of, platform_repeat_infringers=top
        )
    cache.delete(_case_days_lock())
    return as_of


def _case_days_lock() -> str:
    return "dashboard:refreshing:case_days"


def case_days_ensure(*, refresh: bool = False) -> None:
    """Keep ``CaseDay`` at most SNAPSHOT_MAX_AGE old for a filtered view: rebuilt at once when it
    was never built, when asked (``refresh``) or when tasks run eagerly; otherwise one request
    queues a rebuild and the page shows the older counts with their time."""
    as_of = case_days_as_of()
    if as_of is not None and not refresh and as_of >= timezone.now() - SNAPSHOT_MAX_AGE:
        return
    if as_of is None or refresh or settings.CELERY_TASK_ALWAYS_EAGER:
        case_days_refresh()
        return
    if cache.add(_case_days_lock(), True, timeout=int(SNAPSHOT_MAX_AGE.total_seconds())):
        # the broker down: the older counts stay, and the next request tries again
        queue_on_commit(
            "portal.dashboard.tasks.refresh_case_days",
            on_unavailable=lambda: cache.delete(_case_days_lock()),
        )


def snapshot_take(
    *, scope_key: str = SnapshotScope.FULL, as_of: date | None = None, count_cases: bool = True
) -> Snapshot:
    """Compute the whole MOU's figures now and keep them as today's snapshot of that scope.

    ``as_of`` rebuilds the snapshot of an earlier day from what had happened by then (the trend
    of a portal that has just been installed or loaded with data); it is dated that day.
    ``count_cases=False`` uses ``CaseDay`` as it is (the caller has just rebuilt it).
    """
    scope = SNAPSHOT_SCOPES[SnapshotScope(scope_key)]
    if as_of is not None:
        scope = Scope(date_to=as_of, platform_only=scope.platform_only)
    if count_cases or case_days_as_of() is None:
        case_days_refresh()
    figures = compute_figures(scope)
    taken_at = datetime.fromisoformat(figures["computed_at"])
    day = timezone.localdate(taken_at)
    if as_of is not None and as_of < day:
        day = as_of
        taken_at = local_start(as_of + timedelta(days=1)) - timedelta(seconds=1)
    snapshot, _created = Snapshot.objects.update_or_create(
        day=day, scope=scope_key, defaults={"taken_at": taken_at, "figures": figures}
    )
    cache.delete(_refresh_lock(scope_key))
    return snapshot


def snapshots_take_all() -> list[Snapshot]:
    """Rebuild ``CaseDay`` once, then take every scope's snapshot from it."""
    case_days_refresh()
    return [snapshot_take(scope_key=key, count_cases=False) for key in SNAPSHOT_SCOPES]


def _refresh_lock(scope_key: str) -> str:
    return f"dashboard:refreshing:{scope_key}"


def figures_get(*, scope: Scope, refresh: bool = False) -> dict:
    """The figures the page shows for ``scope``; every answer carries ``computed_at``.

    The unfiltered view reads the latest snapshot. When it is older than SNAPSHOT_MAX_AGE (the beat
    task has not run) one request refreshes it — at once when tasks run eagerly, else by queueing
    the snapshot task — while the others keep showing the older figures with their time. A
    filtered view is computed by the database (its takedown counts summed from ``CaseDay``, kept
    fresh the same way) and cached for a few minutes. ``refresh`` computes
    now either way.
    """
    if scope.is_default:
        key = snapshot_scope_of(scope)
        latest = None
        if not refresh:
            latest = (
                Snapshot.objects.filter(scope=key)
                .order_by("-day", "-taken_at")
                .values_list("taken_at", "figures")
                .first()
            )
            if latest and latest[0] >= timezone.now() - SNAPSHOT_MAX_AGE:
                return latest[1]
        if latest and not settings.CELERY_TASK_ALWAYS_EAGER:
            if cache.add(_refresh_lock(key), True, timeout=int(SNAPSHOT_MAX_AGE.total_seconds())):
                queue_on_commit(
                    "portal.dashboard.tasks.take_snapshot",
                    key,
                    on_unavailable=lambda: cache.delete(_refresh_lock(key)),
                )
            return latest[1]
        return snapshot_take(scope_key=key).figures
    if not refresh:
        cached = cache.get(scope.cache_key())
        if cached:
            return cached
    if CASE_DAY_SECTIONS & set(scope.sections):
        case_days_ensure(refresh=refresh)
    figures = compute_figures(scope)
    cache.set(scope.cache_key(), figures, FILTERED_CACHE_SECONDS)
    return figures


def report_job_create(*, user, scope: Scope, report_format: str) -> ReportJob:
    """Queue a report for a Celery worker; it is built after this transaction commits."""
    job = ReportJob.objects.create(
        requested_by=user,
        format=ReportFormat(report_format),
        scope={**scope.as_dict(), "language": translation.get_language()},
    )
    queue_on_commit(
        "portal.dashboard.tasks.build_report",
        str(job.pk),
        on_unavailable=lambda: _report_job_not_queued(job),
    )
    return job


def _report_job_not_queued(job: ReportJob) -> None:
    """The broker is down: the report fails at once, with why, instead of waiting for ever."""
    ReportJob.objects.filter(pk=job.pk, status=ReportStatus.QUEUED).update(
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error=_(
            "The background queue cannot be reached, so the report was not started. Try "
            "again in a few minutes; if it fails again, tell the administrator."
        ),
    )


def report_job_set_progress(*, job_id, progress: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=ReportStatus.RUNNING).update(
        progress=max(0, min(int(progress), 99))
    )


def report_job_run(*, job_id) -> bool:
    """Build a queued report. Claims the job with a conditional UPDATE, so it runs only once."""
    from portal.dashboard.reports import build_report_file

    claimed = ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, progress=0
    )
    if not claimed:
        return False
    job = ReportJob.objects.defer("content").get(pk=job_id)
    try:
        with translation.override(job.scope.get("language") or settings.LANGUAGE_CODE):
            scope = Scope.from_dict(job.scope)
            filename, content = build_report_file(
                scope=scope,
                report_format=job.format,
                figures=figures_get(scope=scope),
                progress=lambda fraction: report_job_set_progress(
                    job_id=job_id, progress=round(fraction * 100)
                ),
            )
    except Exception as error:
        logger.exception("report %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return False
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportStatus.DONE,
        progress=100,
        filename=filename,
        content=content,
        finished_at=timezone.now(),
    )
    return True
