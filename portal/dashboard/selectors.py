"""Every figure of the MOU dashboard, computed once, here.

The page, the XLSX workbook, the CSV files and the snapshots all call ``compute_figures()``; none
computes a figure of its own. Each figure is an aggregate run by the database (a fixed number of
queries whatever the number of rows); the result is plain JSON (numbers, strings, ISO dates) so
that a snapshot stores exactly what the page shows. Labels are not stored: ``portal.dashboard.
presentation`` names every figure in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gi_catalog.choices import OnboardingStatus
from gi_catalog.models import GIProduct, OnboardingApplication, PromotionActivity, Seller
from portal.choices import TargetMetric, WorkstreamCode
from portal.dashboard.aggregates import (
    LocalDayNumber,
    LookupByIndex,
    SecondsBetween,
    percentiles,
)
from portal.models import PublicHoliday, Target
from takedowns.choices import PLATFORM_VISIBLE_STATES, CaseState
from takedowns.models import (
    InfringingItem,
    MonitoringSweep,
    PlatformSeller,
    StatusEvent,
    TakedownCase,
)
from takedowns.sweeps import cases_by_source, findings_per_sweep, sweeps_per_month
from training.choices import ConsultationTopic
from training.models import Attendance, Consultation, TrainingSession

#: Which sections each workstream shows; the liaison sees only ``takedowns``.
SECTIONS_BY_WORKSTREAM = {
    WorkstreamCode.GI_PROMOTION: ("targets", "gi"),
    WorkstreamCode.IP_PROTECTION: ("targets", "takedowns", "monitoring"),
    WorkstreamCode.CAPACITY_BUILDING: ("targets", "training"),
}
ALL_SECTIONS = ("targets", "gi", "takedowns", "monitoring", "training")
PLATFORM_SECTIONS = ("takedowns",)


@dataclass(frozen=True)
class Scope:
    """What the reader asked for (dates, workstream) and what they may see (platform_only)."""

    date_from: date | None = None
    date_to: date | None = None
    workstream: str | None = None
    platform_only: bool = False
    sections: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self):
        if self.platform_only:
            sections = PLATFORM_SECTIONS
        elif self.workstream:
            sections = SECTIONS_BY_WORKSTREAM[WorkstreamCode(self.workstream)]
        else:
            sections = ALL_SECTIONS
        object.__setattr__(self, "sections", sections)

    @property
    def is_default(self) -> bool:
        """The whole MOU with no filter: what the snapshots hold."""
        return not (self.date_from or self.date_to or self.workstream)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("sections")
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Scope:
        return cls(
            date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
            workstream=data.get("workstream") or None,
            platform_only=bool(data.get("platform_only")),
        )

    def cache_key(self) -> str:
        d = self.as_dict()
        return "dashboard:{date_from}:{date_to}:{workstream}:{platform_only}".format(**d)


# --- helpers ------------------------------------------------------------------------------------


def local_start(day: date) -> datetime:
    """Midnight in Bangkok at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def date_q(field_name: str, start: date | None, end: date | None) -> Q:
    """``field_name`` (a DateField) between two days, both included; None is open."""
    q = Q()
    if start:
        q &= Q(**{f"{field_name}__gte": start})
    if end:
        q &= Q(**{f"{field_name}__lte": end})
    return q


def moment_q(field_name: str, start: date | None, end: date | None) -> Q:
    """``field_name`` (a DateTimeField) on one of the days from ``start`` to ``end`` (Bangkok)."""
    q = Q()
    if start:
        q &= Q(**{f"{field_name}__gte": local_start(start)})
    if end:
        q &= Q(**{f"{field_name}__lt": local_start(end + timedelta(days=1))})
    return q


def percent(part, whole, digits: int = 1) -> float | None:
    """``part / whole`` in %, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * float(part or 0) / float(whole), digits)


def money(value) -> float:
    return round(float(value or 0), 2)


def hours(seconds) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600.0, 1)


def _overlap(start_a, end_a, start_b, end_b):
    start = max(d for d in (start_a, start_b) if d) if (start_a or start_b) else None
    end = min(d for d in (end_a, end_b) if d) if (end_a or end_b) else None
    return start, end


# --- MOU targets --------------------------------------------------------------------------------
#
# Each metric maps to one function that computes the actual value of every target of that metric
# in ONE query (a conditional aggregate per target, as targets have their own periods).
# A target counts what happened within its own period, narrowed to the dashboard's dates.


def _count_per_target(queryset, expression, periods, date_lookup, *, moment=False):
    lookup = moment_q if moment else date_q
    result = queryset.aggregate(
        **{
            f"t{pk}": Count(expression, distinct=True, filter=lookup(date_lookup, *span))
            for pk, span in periods.items()
        }
    )
    return {pk: result[f"t{pk}"] for pk in periods}


def _actual_gi_products(periods):
    # The catalog is a stock, not a flow: every product in it counts.
    total = GIProduct.objects.count()
    return dict.fromkeys(periods, total)


def _actual_sellers_onboarded(periods):
    return _count_per_target(
        OnboardingApplication.objects.filter(status=OnboardingStatus.LIVE),
        "seller",
        periods,
        "live_at",
        moment=True,
    )


def _actual_promotion_activities(periods):
    return _count_per_target(PromotionActivity.objects.all(), "pk", periods, "held_on")


def _actual_promotion_gmv(periods):
    result = PromotionActivity.objects.aggregate(
        **{
            f"t{pk}": Sum("gmv_thb", filter=date_q("held_on", *span))
            for pk, span in periods.items()
        }
    )
    return {pk: money(result[f"t{pk}"]) for pk in periods}


def _actual_people_trained(periods):
    return _count_per_target(
        Attendance.objects.filter(completed=True, session__starts_at__lte=timezone.now()),
        "participant",
        periods,
        "session__starts_at",
        moment=True,
    )


def _actual_training_sessions(periods):
    return _count_per_target(
        TrainingSession.objects.filter(starts_at__lte=timezone.now()),
        "pk",
        periods,
        "starts_at",
        moment=True,
    )


def _actual_consultations(periods):
    return _count_per_target(Consultation.objects.all(), "pk", periods, "consulted_on")


def _actual_cases_forwarded(periods):
    return _count_per_target(
        TakedownCase.objects.filter(forwarded_at__isnull=False),
        "pk",
        periods,
        "forwarded_at",
        moment=True,
    )


def _decided_cases():
    return TakedownCase.objects.filter(
        decided_at__isnull=False, forwarded_at__isnull=False
    ).annotate(_decision_seconds=decision_seconds())


def _rate_per_target(queryset, periods, part: Q):
    """% of the cases decided within each target's period that match ``part``: one query."""
    aggregates = {}
    for pk, span in periods.items():
        in_period = moment_q("decided_at", *span)
        aggregates[f"n{pk}"] = Count("pk", filter=in_period)
        aggregates[f"p{pk}"] = Count("pk", filter=in_period & part)
    result = queryset.aggregate(**aggregates)
    return {pk: percent(result[f"p{pk}"], result[f"n{pk}"]) for pk in periods}


def _actual_removal_rate(periods):
    return _rate_per_target(_decided_cases(), periods, Q(removed_at__isnull=False))


def _actual_decided_within_3wd(periods):
    return _rate_per_target(_decided_cases(), periods, within_working_days_q())


#: metric -> function(periods: {target_pk: (start, end)}) -> {target_pk: actual}
METRIC_ACTUALS = {
    TargetMetric.GI_PRODUCTS_LISTED: _actual_gi_products,
    TargetMetric.SELLERS_ONBOARDED: _actual_sellers_onboarded,
    TargetMetric.PROMOTION_ACTIVITIES: _actual_promotion_activities,
    TargetMetric.PROMOTION_GMV: _actual_promotion_gmv,
    TargetMetric.CASES_FORWARDED: _actual_cases_forwarded,
    TargetMetric.REMOVAL_RATE: _actual_removal_rate,
    TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS: _actual_decided_within_3wd,
    TargetMetric.PEOPLE_TRAINED: _actual_people_trained,
    TargetMetric.TRAINING_SESSIONS: _actual_training_sessions,
    TargetMetric.CONSULTATIONS: _actual_consultations,
}


def targets_section(scope: Scope) -> list[dict]:
    targets = Target.objects.select_related("workstream").order_by(
        "workstream__code", "due_date", "pk"
    )
    if scope.workstream:
        targets = targets.filter(workstream__code=scope.workstream)
    targets = list(targets)
    by_metric: dict[str, dict[int, tuple]] = defaultdict(dict)
    for target in targets:
        span = _overlap(target.period_start, target.due_date, scope.date_from, scope.date_to)
        by_metric[target.metric][target.pk] = span
    actuals: dict[int, float | None] = {}
    for metric, periods in by_metric.items():
        compute = METRIC_ACTUALS.get(metric)
        actuals.update(compute(periods) if compute else dict.fromkeys(periods))
    rows = []
    for target in targets:
        actual = actuals.get(target.pk)
        rows.append(
            {
                "id": target.pk,
                "workstream": target.workstream.code,
                "name": target.name,
                "metric": target.metric,
                "unit": target.unit,
                "target": float(target.target_value),
                "actual": actual,
                "percent": None
                if actual is None
                else round(100.0 * float(actual) / float(target.target_value), 1),
                "period_start": target.period_start.isoformat(),
                "due_date": target.due_date.isoformat(),
            }
        )
    return rows


# --- GI promotion -------------------------------------------------------------------------------


def gi_section(scope: Scope) -> dict:
    applications = OnboardingApplication.objects.filter(
        moment_q("created_at", scope.date_from, scope.date_to)
    )
    by_status = dict(
        applications.order_by()
        .values_list("status")
        .annotate(n=Count("seller", distinct=True))
        .values_list("status", "n")
    )
    funnel = OnboardingApplication.objects.aggregate(
        applied=Count(
            "seller",
            distinct=True,
            filter=Q(submitted_at__isnull=False)
            & moment_q("submitted_at", scope.date_from, scope.date_to),
        ),
        live=Count(
            "seller",
            distinct=True,
            filter=Q(status=OnboardingStatus.LIVE)
            & moment_q("live_at", scope.date_from, scope.date_to),
        ),
    )
    activities = PromotionActivity.objects.filter(date_q("held_on", scope.date_from, scope.date_to))
    totals = activities.aggregate(
        n=Count("pk"), views=Sum("views"), orders=Sum("orders"), gmv=Sum("gmv_thb")
    )
    by_month = (
        activities.order_by()
        .annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(n=Count("pk"), gmv=Sum("gmv_thb"))
        .order_by("month")
    )
    return {
        "products": GIProduct.objects.count(),
        "sellers": Seller.objects.count(),
        "sellers_applied": funnel["applied"],
        "live_shops": funnel["live"],
        "promotions": totals["n"],
        "views": totals["views"] or 0,
        "orders": totals["orders"] or 0,
        "gmv": money(totals["gmv"]),
        "onboarding_by_state": [
            [status.value, by_status.get(status.value, 0)] for status in OnboardingStatus
        ],
        "gmv_by_month": [
            [row["month"].strftime("%Y-%m"), row["n"], money(row["gmv"])] for row in by_month
        ],
    }


# --- IP protection: notice and takedown ---------------------------------------------------------
#
# The takedowns app stores the timings a figure needs on the case (forwarded_at, decided_at,
# removed_at, paused_seconds — the info-request pauses — and takedown_seconds = removed_at -
# forwarded_at - pauses), so every figure is one aggregate over indexed columns.

DECISION_HOURS = 24
DECISION_WORKING_DAYS = 3
REPEAT_INFRINGER_MIN_CASES = 2
TOP_REPEAT_INFRINGERS = 10


def cases_in_scope(scope: Scope):
    """Every case, or for the liaison only those that reached the platform (as the admin shows)."""
    cases = TakedownCase.objects.all()
    if scope.platform_only:
        cases = cases.filter(
            Q(state__in=PLATFORM_VISIBLE_STATES)
            | Q(state=CaseState.WITHDRAWN, forwarded_at__isnull=False)
        )
    return cases


def decision_seconds():
    """Forwarded to first decision, without the info-request pauses (the platform's clock)."""
    return SecondsBetween(F("forwarded_at"), F("decided_at")) - F("paused_seconds")


def utc_offset_seconds() -> int:
    """Thailand keeps one offset all year (no daylight saving time)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return int(zone.utcoffset(datetime.now(zone)).total_seconds())


def working_day_spans(first: date, last: date, days: int = DECISION_WORKING_DAYS) -> list[int]:
    """For each day from ``first`` to ``last``: how many calendar days until its ``days``-th working
    day (the rule of ``portal.workdays.add_working_days``: weekends and PublicHoliday are off).

    A loop over calendar days (a few hundred a year), never over cases: the database then looks
    each case's forwarding day up in this list.
    """
    horizon = last + timedelta(days=days * 3 + 30)
    holidays = set(
        PublicHoliday.objects.filter(date__range=(first, horizon)).values_list("date", flat=True)
    )
    spans = []
    day = first
    while day <= last:
        current, remaining = day, days
        while remaining:
            current += timedelta(days=1)
            if current.weekday() < 5 and current not in holidays:
                remaining -= 1
        spans.append((current - day).days)
        day += timedelta(days=1)
    return spans


def within_working_days_q():
    """A Q for decided cases (annotated with ``_decision_seconds``) decided within 3 working days
    of forwarding, info-request pauses excluded.

    ``add_working_days(forwarded_at, 3)`` is forwarded_at plus a whole number of calendar days that
    depends only on the forwarding day, so: decision seconds <= 86400 * span(forwarding day).
    Two small queries (the range of forwarding days from the index, the holidays), then one array
    lookup per row.
    """
    bounds = TakedownCase.objects.aggregate(first=Min("forwarded_at"), last=Max("forwarded_at"))
    if bounds["first"] is None:
        return Q(pk__in=[])
    first = timezone.localtime(bounds["first"]).date()
    last = timezone.localtime(bounds["last"]).date()
    spans = working_day_spans(first, last)
    epoch_day = (first - date(1970, 1, 1)).days
    span = LookupByIndex(LocalDayNumber(F("forwarded_at"), utc_offset_seconds()), spans, epoch_day)
    return Q(_decision_seconds__lte=span * 86400)


def reinstated_q() -> Q:
    """Reinstated after an appeal: the case is still ``reinstated``, or was closed after it."""
    ever = Exists(StatusEvent.objects.filter(case=OuterRef("pk"), to_state=CaseState.REINSTATED))
    return Q(state=CaseState.REINSTATED) | (Q(state=CaseState.CLOSED) & Q(ever))


def repeat_infringers(scope: Scope, created) -> list[list]:
    """Seller handles seen in several cases, most cases first. The whole MOU reads the counts the
    takedowns app keeps per handle (PlatformSeller, indexed); a filtered view counts the items."""
    if scope.is_default and not scope.platform_only:
        rows = (
            PlatformSeller.objects.filter(case_count__gte=REPEAT_INFRINGER_MIN_CASES)
            .order_by("-case_count", "handle")
            .values_list("handle", "case_count")[:TOP_REPEAT_INFRINGERS]
        )
        return [list(row) for row in rows]
    rows = (
        InfringingItem.objects.filter(case__in=created.values("pk"))
        .exclude(seller_handle="")
        .order_by()
        .values("seller_handle")
        .annotate(cases=Count("case", distinct=True))
        .filter(cases__gte=REPEAT_INFRINGER_MIN_CASES)
        .order_by("-cases", "seller_handle")[:TOP_REPEAT_INFRINGERS]
    )
    return [[row["seller_handle"], row["cases"]] for row in rows]


def takedowns_section(scope: Scope) -> dict:
    cases = cases_in_scope(scope)
    created = cases.filter(moment_q("created_at", scope.date_from, scope.date_to))
    by_state = dict(
        created.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    forwarded = cases.filter(
        Q(forwarded_at__isnull=False) & moment_q("forwarded_at", scope.date_from, scope.date_to)
    ).count()

    decided = cases.filter(
        Q(decided_at__isnull=False, forwarded_at__isnull=False)
        & moment_q("decided_at", scope.date_from, scope.date_to)
    ).annotate(_decision_seconds=decision_seconds())
    within_3wd = within_working_days_q()
    decisions = decided.aggregate(
        n=Count("pk"),
        removed=Count("pk", filter=Q(removed_at__isnull=False)),
        within_24h=Count("pk", filter=Q(_decision_seconds__lte=DECISION_HOURS * 3600)),
        within_3wd=Count("pk", filter=within_3wd),
    )

    removed = cases.filter(
        Q(removed_at__isnull=False, takedown_seconds__isnull=False)
        & moment_q("removed_at", scope.date_from, scope.date_to)
    )
    removals = removed.aggregate(n=Count("pk"), reinstated=Count("pk", filter=reinstated_q()))
    median, p90 = percentiles(removed, F("takedown_seconds"), (0.5, 0.9))

    overdue = cases.filter(
        state__in=[CaseState.FORWARDED, CaseState.UNDER_PLATFORM_REVIEW],
        sla_due_at__lt=timezone.now(),
    ).count()
    return {
        "cases": sum(by_state.values()),
        "forwarded": forwarded,
        "decided": decisions["n"],
        "removed": decisions["removed"],
        "median_hours": hours(median),
        "p90_hours": hours(p90),
        "within_24h_pct": percent(decisions["within_24h"], decisions["n"]),
        "within_3wd_pct": percent(decisions["within_3wd"], decisions["n"]),
        "removal_rate": percent(decisions["removed"], decisions["n"]),
        "reinstatement_rate": percent(removals["reinstated"], removals["n"]),
        "overdue_now": overdue,
        "by_state": [[state.value, by_state.get(state.value, 0)] for state in CaseState],
        "repeat_infringers": repeat_infringers(scope, created),
    }


# --- monitoring sweeps (DIP's own searches of the platform) ------------------------------------
#
# The takedowns app defines these figures (takedowns.sweeps); the dashboard narrows them to its
# dates. Cases by source are counted over the whole MOU.


def monitoring_section(scope: Scope) -> dict:
    sweeps = MonitoringSweep.objects.filter(date_q("swept_on", scope.date_from, scope.date_to))
    per_month = sweeps_per_month(queryset=sweeps)
    per_sweep = findings_per_sweep(queryset=sweeps)
    sources = cases_by_source()
    from_sweeps, from_holders = sources["sweeps"], sources["rights_holders"]
    return {
        "sweeps": sum(row["sweeps"] for row in per_month),
        "findings": sum(row["findings"] for row in per_month),
        "findings_per_sweep": None if per_sweep is None else round(per_sweep, 1),
        "hours_spent": round(sum(row["minutes"] for row in per_month) / 60.0, 1),
        "cases_from_sweeps": from_sweeps.cases,
        "cases_from_rights_holders": from_holders.cases,
        "removal_rate_sweeps": percent(from_sweeps.removed, from_sweeps.decided),
        "removal_rate_rights_holders": percent(from_holders.removed, from_holders.decided),
        "sweeps_by_month": [
            [row["month"].strftime("%Y-%m"), row["sweeps"], row["findings"]] for row in per_month
        ],
    }


# --- capacity building -------------------------------------------------------------------------


def training_section(scope: Scope) -> dict:
    """Sessions held (started by now) in the range, who attended and who completed them."""
    held = Q(session__starts_at__lte=timezone.now()) & moment_q(
        "session__starts_at", scope.date_from, scope.date_to
    )
    attendance = Attendance.objects.filter(held).aggregate(
        n_registered=Count("pk"),
        n_attended=Count("pk", filter=Q(attended=True)),
        n_completed=Count("pk", filter=Q(completed=True)),
        n_trained=Count("participant", distinct=True, filter=Q(completed=True)),
    )
    sessions = TrainingSession.objects.filter(
        Q(starts_at__lte=timezone.now()) & moment_q("starts_at", scope.date_from, scope.date_to)
    )
    by_month = (
        sessions.order_by()
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(
            n=Count("pk", distinct=True),
            attended=Count("attendances", filter=Q(attendances__attended=True)),
        )
        .order_by("month")
    )
    people_target = (
        Target.objects.filter(metric=TargetMetric.PEOPLE_TRAINED)
        .order_by("-due_date", "-pk")
        .values_list("target_value", flat=True)
        .first()
    )
    consultations = Consultation.objects.filter(
        date_q("consulted_on", scope.date_from, scope.date_to)
    )
    consulted = consultations.aggregate(
        n=Count("pk"), followed=Count("pk", filter=~Q(follow_up=""))
    )
    by_topic = dict(
        consultations.order_by()
        .values_list("topic")
        .annotate(n=Count("pk"))
        .values_list("topic", "n")
    )
    consultations_by_month = (
        consultations.order_by()
        .annotate(month=TruncMonth("consulted_on"))
        .values("month")
        .annotate(n=Count("pk"), followed=Count("pk", filter=~Q(follow_up="")))
        .order_by("month")
    )
    return {
        "people_trained": attendance["n_trained"],
        "people_target": None if people_target is None else float(people_target),
        "people_trained_pct": percent(attendance["n_trained"], people_target),
        "sessions": sessions.count(),
        "registered": attendance["n_registered"],
        "attended": attendance["n_attended"],
        "attendance_rate": percent(attendance["n_attended"], attendance["n_registered"]),
        "completion_rate": percent(attendance["n_completed"], attendance["n_attended"]),
        "consultations": consulted["n"],
        "consultations_followed_up": consulted["followed"],
        "follow_up_share": percent(consulted["followed"], consulted["n"]),
        "sessions_by_month": [
            [row["month"].strftime("%Y-%m"), row["n"], row["attended"]] for row in by_month
        ],
        "consultations_by_topic": [
            [topic.value, by_topic.get(topic.value, 0)] for topic in ConsultationTopic
        ],
        "consultations_by_month": [
            [row["month"].strftime("%Y-%m"), row["n"], row["followed"]]
            for row in consultations_by_month
        ],
    }


# --- the whole dashboard ------------------------------------------------------------------------

SECTION_FUNCTIONS = {
    "targets": targets_section,
    "gi": gi_section,
    "takedowns": takedowns_section,
    "monitoring": monitoring_section,
    "training": training_section,
}


def compute_figures(scope: Scope) -> dict:
    """Every figure the scope may see, computed now by the database."""
    sections = {}
    for key in scope.sections:
        compute = SECTION_FUNCTIONS.get(key)
        sections[key] = compute(scope) if compute else None
    figures = {
        "computed_at": timezone.now().isoformat(),
        "scope": scope.as_dict(),
        "sections": sections,
    }
    figures["trend"] = trend_of(figures)
    return figures


# --- trend lines, from the snapshots kept over time ---------------------------------------------

TREND_DAYS = 400


def trend_of(figures: dict) -> dict:
    """The few numbers of a snapshot that the trend lines plot (kept small: read for every day)."""
    sections = figures["sections"]
    trend: dict = {}
    if sections.get("targets"):
        trend["targets"] = {str(row["id"]): row["percent"] for row in sections["targets"]}
    if sections.get("gi"):
        trend["gmv"] = sections["gi"]["gmv"]
        trend["live_shops"] = sections["gi"]["live_shops"]
    if sections.get("takedowns"):
        for key in ("forwarded", "median_hours", "within_3wd_pct", "removal_rate"):
            trend[key] = sections["takedowns"][key]
    return trend


def snapshot_trend(snapshot_scope: str) -> list[tuple[str, dict]]:
    """[(day, trend)] of the daily snapshots, oldest first: one query."""
    from portal.dashboard.models import Snapshot

    since = timezone.localdate() - timedelta(days=TREND_DAYS)
    rows = (
        Snapshot.objects.filter(scope=snapshot_scope, day__gte=since)
        .order_by("day")
        .values_list("day", "figures__trend")
    )
    return [(day.isoformat(), trend or {}) for day, trend in rows]


# --- the rows behind the figures (for the reports) ----------------------------------------------


@dataclass(frozen=True)
class Detail:
    """One table of rows behind a section's figures: a title, headers and a values_list query."""

    title: str
    headers: tuple
    queryset: object


def _gi_details(scope: Scope) -> list[Detail]:
    return [
        Detail(
            _("Onboarding applications"),
            (_("Seller"), _("Tax / ID number"), _("State"), _("Submitted at"), _("Live at")),
            OnboardingApplication.objects.filter(
                moment_q("created_at", scope.date_from, scope.date_to)
            )
            .order_by("pk")
            .values_list("seller__name", "seller__tax_id", "status", "submitted_at", "live_at"),
        ),
        Detail(
            _("Promotion activities"),
            (
                _("Date"),
                _("Kind"),
                _("Title"),
                _("Seller"),
                _("Views"),
                _("Orders"),
                _("GMV (THB)"),
                _("URL"),
            ),
            PromotionActivity.objects.filter(date_q("held_on", scope.date_from, scope.date_to))
            .order_by("held_on", "pk")
            .values_list(
                "held_on", "kind", "title", "seller__name", "views", "orders", "gmv_thb", "url"
            ),
        ),
    ]


def _training_details(scope: Scope) -> list[Detail]:
    sessions = (
        TrainingSession.objects.filter(
            Q(starts_at__lte=timezone.now()) & moment_q("starts_at", scope.date_from, scope.date_to)
        )
        .order_by("starts_at", "pk")
        .annotate(
            registered=Count("attendances"),
            attended_n=Count("attendances", filter=Q(attendances__attended=True)),
            completed_n=Count("attendances", filter=Q(attendances__completed=True)),
        )
        .values_list(
            "reference",
            "course__code",
            "starts_at",
            "mode",
            "capacity",
            "registered",
            "attended_n",
            "completed_n",
        )
    )
    consultations = (
        Consultation.objects.filter(date_q("consulted_on", scope.date_from, scope.date_to))
        .order_by("consulted_on", "pk")
        .values_list(
            "consulted_on",
            "topic",
            "channel",
            "entrepreneur_name",
            "adviser__name",
            "follow_up",
            "follow_up_on",
        )
    )
    return [
        Detail(
            _("Training sessions held"),
            (
                _("Reference"),
                _("Course"),
                _("Starts at"),
                _("Mode"),
                _("Capacity"),
                _("Registered"),
                _("Attended"),
                _("Completed"),
            ),
            sessions,
        ),
        Detail(
            _("Consultations"),
            (
                _("Date"),
                _("Topic"),
                _("Channel"),
                _("Entrepreneur"),
                _("Adviser"),
                _("Follow-up"),
                _("Follow-up date"),
            ),
            consultations,
        ),
    ]


def _takedown_details(scope: Scope) -> list[Detail]:
    cases = (
        cases_in_scope(scope)
        .filter(moment_q("created_at", scope.date_from, scope.date_to))
        .order_by("created_at", "pk")
        .values_list(
            "reference",
            "state",
            "priority",
            "infringement_type",
            "ippc_ticket_id",
            "created_at",
            "forwarded_at",
            "decided_at",
            "removed_at",
            "paused_seconds",
            "takedown_seconds",
        )
    )
    return [
        Detail(
            _("Cases"),
            (
                _("Reference"),
                _("State"),
                _("Priority"),
                _("Infringement type"),
                _("IPPC ticket ID"),
                _("Created at"),
                _("Forwarded at"),
                _("Decided at"),
                _("Removed at"),
                _("Info-request pauses (seconds)"),
                _("Time to takedown (seconds)"),
            ),
            cases,
        )
    ]


def _monitoring_details(scope: Scope) -> list[Detail]:
    sweeps = (
        MonitoringSweep.objects.filter(date_q("swept_on", scope.date_from, scope.date_to))
        .order_by("swept_on", "pk")
        .annotate(n_findings=Count("findings", distinct=True))
        .values_list("pk", "swept_on", "officer__username", "minutes_spent", "n_findings")
    )
    return [
        Detail(
            _("Monitoring sweeps"),
            (_("Sweep"), _("Date"), _("Officer"), _("Minutes"), _("Findings")),
            sweeps,
        )
    ]


def _targets_details(scope: Scope) -> list[Detail]:
    return []


DETAIL_FUNCTIONS = {
    "targets": _targets_details,
    "gi": _gi_details,
    "takedowns": _takedown_details,
    "monitoring": _monitoring_details,
    "training": _training_details,
}


def details(section: str, scope: Scope) -> list[Detail]:
    compute = DETAIL_FUNCTIONS.get(section)
    return compute(scope) if compute and section in scope.sections else []


def detail_row_count(scope: Scope) -> int:
    """How many rows a report of ``scope`` holds: decides between streaming and a Celery job."""
    return sum(d.queryset.count() for section in scope.sections for d in details(section, scope))
