"""Writes of the dashboard: snapshots of the figures, and report jobs."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

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

#: The apps whose rows move a figure: a change to any of their models makes the figures stale.
FIGURE_APPS = frozenset({"gi_catalog", "takedowns", "training"})
FIGURE_CORE_MODELS = frozenset({"agreement", "workstream", "target", "publicholiday"})
_CHANGED_KEY = "dashboard:changed_at"
_RECOMPUTE_KEY = "dashboard:recompute-queued"
#: A queued recompute that never ran (a lost message) lets the next change queue another after this.
RECOMPUTE_LOCK_SECONDS = 120


def moves_figures(model) -> bool:
    """True for a model whose rows the dashboard counts (not their audit history)."""
    meta = model._meta
    if meta.model_name.startswith("historical"):
        return False
    if meta.app_label == "portal":
        return meta.model_name in FIGURE_CORE_MODELS
    return meta.app_label in FIGURE_APPS


def figures_changed() -> None:
    """A row that moves a figure was written: the figures computed before now are stale, and one
    recompute is queued (never more than one at a time). Called once per committed transaction
    by the model signals (``DashboardConfig.ready``) and by "Recompute now"."""
    cache.set(_CHANGED_KEY, timezone.now().timestamp(), None)
    figures_recompute_soon()


class FiguresChangeNotice:
    """The ``on_commit`` callback that calls ``figures_changed`` once for a transaction."""

    def __init__(self):
        self.pending = True

    def __call__(self):
        self.pending = False
        figures_changed()


def figure_rows_written(sender, using=None, raw=False, **kwargs) -> None:
    """Receiver of the model signals: once per transaction that writes rows that move a figure,
    ``figures_changed`` runs when it commits (a rolled-back one changes nothing)."""
    if raw or not moves_figures(sender):
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        isinstance(callback, FiguresChangeNotice) and callback.pending
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(FiguresChangeNotice(), using=using)


figure_rows_written.bulk_notified = True  # also connected to portal.signals.rows_written


def figures_changed_at() -> datetime | None:
    stamp = cache.get(_CHANGED_KEY)
    return datetime.fromtimestamp(stamp, tz=UTC) if stamp is not None else None


def figures_recompute_soon() -> bool:
    """Queue one recompute of every snapshot (and ``CaseDay``) unless one is queued already;
    True when this call queued it. With tasks run in place nothing is queued: the next page
    computes what it finds stale. The broker down: the page keeps the older figures, with their
    time, and the next change or page tries again."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    if not cache.add(_RECOMPUTE_KEY, True, timeout=RECOMPUTE_LOCK_SECONDS):
        return False
    queue_on_commit(
        "portal.dashboard.tasks.take_snapshots", on_unavailable=lambda: cache.delete(_RECOMPUTE_KEY)
    )
    return True


#: "Recompute now" is taken at most once in this many seconds, whoever presses it.
RECOMPUTE_THROTTLE_SECONDS = 60
_PRESSED_KEY = "dashboard:recompute-pressed"


def figures_recompute_now() -> bool:
    """ "Recompute now": the figures are recomputed as after a change (queued, or on the next
    page when tasks run in place). False when it was pressed less than a minute ago or a
    recompute is queued already: one at a time, however often it is pressed."""
    if cache.get(_RECOMPUTE_KEY) is not None:
        return False
    if not cache.add(_PRESSED_KEY, True, timeout=RECOMPUTE_THROTTLE_SECONDS):
        return False
    figures_changed()
    return True


def _fresh(computed_at: datetime | None) -> bool:
    """Computed within SNAPSHOT_MAX_AGE and after the last change that moves a figure."""
    if computed_at is None or computed_at < timezone.now() - SNAPSHOT_MAX_AGE:
        return False
    changed_at = figures_changed_at()
    return changed_at is None or computed_at >= changed_at


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
    return as_of


def case_days_ensure() -> None:
    """Keep ``CaseDay`` fresh for a filtered view: rebuilt at once when it was never built or
    when tasks run eagerly; otherwise a recompute is queued and the page shows the older counts
    with their time."""
    as_of = case_days_as_of()
    if _fresh(as_of):
        return
    if as_of is None or settings.CELERY_TASK_ALWAYS_EAGER:
        case_days_refresh()
        return
    figures_recompute_soon()


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
    return snapshot


def snapshots_take_all() -> list[Snapshot]:
    """Rebuild ``CaseDay`` once, then take every scope's snapshot from it. A change committed
    from here on queues the next recompute (this one may not count it)."""
    cache.delete(_RECOMPUTE_KEY)
    case_days_refresh()
    return [snapshot_take(scope_key=key, count_cases=False) for key in SNAPSHOT_SCOPES]


def figures_get(*, scope: Scope) -> dict:
    """The figures the page shows for ``scope``; every answer carries ``computed_at``.

    The unfiltered view reads the latest snapshot. It is shown while fresh: younger than
    SNAPSHOT_MAX_AGE and computed after the last change that moves a figure (``figures_changed``).
    A stale one is recomputed at once when tasks run eagerly; with a worker the recompute is
    queued (the change queued it already) and the older figures are shown with their time, so a
    change shows within a minute. A filtered view is computed by the database (its takedown
    counts summed from ``CaseDay``, kept fresh the same way) and cached while it is fresh.
    """
    if scope.is_default:
        key = snapshot_scope_of(scope)
        latest = (
            Snapshot.objects.filter(scope=key)
            .order_by("-day", "-taken_at")
            .values_list("taken_at", "figures")
            .first()
        )
        if latest and _fresh(latest[0]):
            return latest[1]
        if latest and not settings.CELERY_TASK_ALWAYS_EAGER:
            figures_recompute_soon()
            return latest[1]
        return snapshot_take(scope_key=key).figures
    cached = cache.get(scope.cache_key())
    if cached and _fresh(datetime.fromisoformat(cached["computed_at"])):
        return cached
    if CASE_DAY_SECTIONS & set(scope.sections):
        case_days_ensure()
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
