"""Every figure of the MOU dashboard, defined once, here.

The page's tiles, the target table, the XLSX workbook, the CSV files and the snapshots all call
``compute_figures()``; none computes a figure of its own. A figure that a target measures is the
same function for its tile and for its target row (``METRICS``), only over another period: the
tile counts over the dashboard's period (``Scope.span``: since the MOU was signed, or the dates
the reader chose), the target over its own period narrowed to those dates; both periods are in
the figures, so the page and the reports show them beside the numbers.

Each figure is an aggregate run by the database (a fixed number of queries whatever the number of
rows). Takedown counts are summed from ``CaseDay`` (the cases counted per day, rebuilt by
``services.case_days_refresh`` from ``case_day_rows()`` below), so a period of five years costs a
sum over a few thousand rows, not an aggregate over a million cases. The result is plain JSON
(numbers, strings, ISO dates) so that a snapshot stores exactly what the page shows. Labels are
not stored: ``portal.dashboard.presentation`` names every figure in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, LPad, NullIf, Trim, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gi_catalog.choices import THAI_ORIGIN, OnboardingStatus
from gi_catalog.models import GIProduct, OnboardingApplication, PromotionActivity, Seller
from portal.choices import TargetMetric, WorkstreamCode
from portal.dashboard.aggregates import (
    LocalDayNumber,
    LookupByIndex,
    SecondsBetween,
    percentiles,
)
from portal.dashboard.models import CaseDay, CaseDayRefresh
from portal.models import Agreement, Target
from portal.workdays import working_day_spans
from takedowns import sla
from takedowns.choices import CaseState
from takedowns.models import (
    REPEAT_INFRINGER_MIN_CASES,
    InfringingItem,
    MonitoringSweep,
    PlatformSeller,
    StatusEvent,
    TakedownCase,
)
from takedowns.selectors import PLATFORM_VISIBLE_CASES
from takedowns.sweeps import findings_per_sweep, sweeps_per_month
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


def mou_start() -> date | None:
    """The day the (first) MOU was signed: where the dashboard's figures start counting."""
    return Agreement.objects.aggregate(start=Min("signed_on"))["start"]


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

    @property
    def span(self) -> tuple[date | None, date | None]:
        """The period the tiles count over: the reader's dates, else from the MOU's signing."""
        return (self.date_from or mou_start(), self.date_to)

    def period(self) -> dict:
        """``span`` as JSON, and whether its start is the MOU's signing (no start date chosen)."""
        start, end = self.span
        return {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "since_mou_start": self.date_from is None and start is not None,
        }

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

Span = tuple[date | None, date | None]


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


# --- the figures, each defined once ---------------------------------------------------------------
#
# Each function takes {key: (start, end)} and answers {key: value} in ONE query (a conditional
# aggregate per period): the tiles ask for one period, the target table for one per target.


def catalog_products(spans: dict) -> dict:
    """GI products in the catalog now (a stock, not a flow: the period does not narrow it)."""
    total = GIProduct.objects.count()
    return dict.fromkeys(spans, total)


def onboarding_totals(spans: dict) -> dict:
    """Sellers who submitted an application, and sellers whose shop went live, in each period."""
    result = OnboardingApplication.objects.aggregate(
        **{
            f"{name}{key}": Count("seller", distinct=True, filter=condition & moment_q(at, *span))
            for key, span in enumerate_spans(spans)
            for name, at, condition in (
                ("applied", "submitted_at", Q(submitted_at__isnull=False)),
                ("live", "live_at", Q(status=OnboardingStatus.LIVE)),
            )
        }
    )
    return {k: _pick(result, i, ("applied", "live")) for i, k in enumerate(spans)}


def promoted_thai_products(spans: dict) -> dict:
    """Thai GI products (not the foreign GIs protected in Thailand) named by a promotion activity
    held in each period: the products the MOU promoted, not the catalogue."""
    result = GIProduct.objects.filter(origin=THAI_ORIGIN).aggregate(
        **{
            f"n{index}": Count(
                "pk", filter=date_q("promotion_activities__held_on", *span), distinct=True
            )
            for index, span in enumerate_spans(spans)
        }
    )
    return {key: result[f"n{index}"] for index, key in enumerate(spans)}


def promotion_totals(spans: dict) -> dict:
    """Promotion activities held in each period, their views, orders and GMV (THB)."""
    result = PromotionActivity.objects.aggregate(
        **{
            f"{name}{key}": aggregate(expression, filter=date_q("held_on", *span))
            for key, span in enumerate_spans(spans)
            for name, aggregate, expression in (
                ("n", Count, "pk"),
                ("views", Sum, "views"),
                ("orders", Sum, "orders"),
                ("gmv", Sum, "gmv_thb"),
            )
        }
    )
    totals = {k: _pick(result, i, ("n", "views", "orders", "gmv")) for i, k in enumerate(spans)}
    for row in totals.values():
        row["views"], row["orders"], row["gmv"] = (
            row["views"] or 0,
            row["orders"] or 0,
            money(row["gmv"]),
        )
    return totals


def _held_q(prefix: str = "") -> Q:
    """Training sessions that have started by now (a planned session trains nobody yet)."""
    return Q(**{f"{prefix}starts_at__lte": timezone.now()})


def attendance_totals(spans: dict) -> dict:
    """Registrations, attendances and completions of the sessions held in each period, and the
    people trained: distinct participants who completed a course."""
    names = ("registered", "attended", "completed", "trained")
    result = Attendance.objects.filter(_held_q("session__")).aggregate(
        **{
            f"{name}{key}": aggregate
            for key, span in enumerate_spans(spans)
            for name, aggregate in zip(
                names,
                (
                    Count("pk", filter=moment_q("session__starts_at", *span)),
                    Count("pk", filter=Q(attended=True) & moment_q("session__starts_at", *span)),
                    Count("pk", filter=Q(completed=True) & moment_q("session__starts_at", *span)),
                    Count(
                        "participant",
                        distinct=True,
                        filter=Q(completed=True) & moment_q("session__starts_at", *span),
                    ),
                ),
                strict=True,
            )
        }
    )
    return {k: _pick(result, i, names) for i, k in enumerate(spans)}


def sessions_held(spans: dict) -> dict:
    result = TrainingSession.objects.filter(_held_q()).aggregate(
        **{
            f"n{i}": Count("pk", filter=moment_q("starts_at", *span))
            for i, span in enumerate_spans(spans)
        }
    )
    return {k: result[f"n{i}"] for i, k in enumerate(spans)}


def consultation_totals(spans: dict) -> dict:
    result = Consultation.objects.aggregate(
        **{
            f"{name}{i}": Count("pk", filter=condition & date_q("consulted_on", *span))
            for i, span in enumerate_spans(spans)
            for name, condition in (("n", Q()), ("followed", ~Q(follow_up="")))
        }
    )
    return {k: _pick(result, i, ("n", "followed")) for i, k in enumerate(spans)}


def enumerate_spans(spans: dict):
    """(index, span) of each period: aggregate names use the index (keys may be anything)."""
    return enumerate(spans.values())


def _pick(result: dict, index: int, names) -> dict:
    return {name: result[f"{name}{index}"] for name in names}


# --- takedown cases: counted per day in CaseDay --------------------------------------------------

#: The counts kept per day (``CaseDay`` has a column for each).
CASE_COUNTS = (
    "created",
    "forwarded",
    "decided",
    "decided_removed",
    "decided_24h",
    "decided_3wd",
    "removed",
    "reinstated",
)
TOP_REPEAT_INFRINGERS = 10


def cases_in_scope(scope: Scope):
    """Every case, or for the liaison only those that reached the platform (as the admin shows)."""
    cases = TakedownCase.objects.all()
    if scope.platform_only:
        cases = cases.filter(PLATFORM_VISIBLE_CASES)
    return cases


def case_rates(counts: dict) -> dict:
    """The takedown rates of a period's case counts (the one definition of each rate)."""
    decided = counts["decided"]
    return {
        "removal_rate": percent(counts["decided_removed"], decided),
        "within_24h_pct": percent(counts["decided_24h"], decided),
        "within_3wd_pct": percent(counts["decided_3wd"], decided),
        "reinstatement_rate": percent(counts["reinstated"], counts["removed"]),
    }


def _case_days(platform_only: bool):
    rows = CaseDay.objects.order_by()
    return rows.filter(platform_visible=True) if platform_only else rows


def case_totals(spans: dict, *, platform_only: bool = False) -> dict:
    """The case counts (``CASE_COUNTS``) of each period, with their rates: one query."""
    result = _case_days(platform_only).aggregate(
        **{
            f"{name}{i}": Sum(name, filter=date_q("day", *span))
            for i, span in enumerate_spans(spans)
            for name in CASE_COUNTS
        }
    )
    totals = {}
    for i, key in enumerate(spans):
        counts = {name: result[f"{name}{i}"] or 0 for name in CASE_COUNTS}
        totals[key] = {**counts, **case_rates(counts)}
    return totals


def case_breakdown(span: Span, *, platform_only: bool = False) -> list[dict]:
    """A period's case counts per state (now) and source (sweep or not): one query, ≤ 30 rows."""
    return list(
        _case_days(platform_only)
        .filter(date_q("day", *span))
        .values("state", "from_sweep")
        .annotate(**{name: Sum(name) for name in CASE_COUNTS})
    )


def sum_counts(rows, where: Callable[[dict], bool] = lambda row: True) -> dict:
    counts = dict.fromkeys(CASE_COUNTS, 0)
    for row in rows:
        if where(row):
            for name in CASE_COUNTS:
                counts[name] += row[name] or 0
    return {**counts, **case_rates(counts)}


def decision_seconds():
    """Forwarded to first decision, without the info-request pauses (the platform's clock)."""
    return SecondsBetween(F("forwarded_at"), F("decided_at")) - F("paused_seconds")


def utc_offset_seconds() -> int:
    """Thailand keeps one offset all year (no daylight saving time)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return int(zone.utcoffset(datetime.now(zone)).total_seconds())


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
    spans = working_day_spans(first, last, sla.SLA_WORKING_DAYS)
    epoch_day = (first - date(1970, 1, 1)).days
    span = LookupByIndex(LocalDayNumber(F("forwarded_at"), utc_offset_seconds()), spans, epoch_day)
    return Q(_decision_seconds__lte=span * 86400)


def reinstated_q() -> Q:
    """Reinstated after an appeal: the case is still ``reinstated``, or was closed after it."""
    ever = StatusEvent.objects.filter(to_state=CaseState.REINSTATED).values("case_id")
    return Q(state=CaseState.REINSTATED) | Q(state=CaseState.CLOSED, pk__in=ever)


def case_day_rows() -> list[dict]:
    """Every case counted on the local day of each of its moments, for ``CaseDay``: one grouped
    query per moment (created, forwarded, decided, removed), each a few thousand rows at most."""
    offset = utc_offset_seconds()
    cases = TakedownCase.objects.order_by().annotate(
        _visible=ExpressionWrapper(PLATFORM_VISIBLE_CASES, output_field=BooleanField()),
        _from_sweep=ExpressionWrapper(Q(sweep_finding__isnull=False), output_field=BooleanField()),
    )
    decided = cases.filter(decided_at__isnull=False, forwarded_at__isnull=False).annotate(
        _decision_seconds=decision_seconds()
    )
    moments = (
        ("created_at", cases, {"created": Count("pk")}),
        ("forwarded_at", cases.filter(forwarded_at__isnull=False), {"forwarded": Count("pk")}),
        (
            "decided_at",
            decided,
            {
                "decided": Count("pk"),
                "decided_removed": Count("pk", filter=Q(removed_at__isnull=False)),
                "decided_24h": Count(
                    "pk", filter=Q(_decision_seconds__lte=sla.SLA_HOURS_URGENT * 3600)
                ),
                "decided_3wd": Count("pk", filter=within_working_days_q()),
            },
        ),
        (
            "removed_at",
            cases.filter(removed_at__isnull=False, takedown_seconds__isnull=False),
            {"removed": Count("pk"), "reinstated": Count("pk", filter=reinstated_q())},
        ),
    )
    epoch = date(1970, 1, 1)
    rows: dict[tuple, dict] = {}
    for moment, queryset, aggregates in moments:
        grouped = (
            queryset.annotate(_day=LocalDayNumber(F(moment), offset))
            .values("_day", "state", "_visible", "_from_sweep")
            .annotate(**aggregates)
        )
        for group in grouped:
            key = (
                group["_day"],
                group["state"],
                bool(group["_visible"]),
                bool(group["_from_sweep"]),
            )
            row = rows.setdefault(key, dict.fromkeys(CASE_COUNTS, 0))
            for name in aggregates:
                row[name] = group[name]
    return [
        {
            "day": epoch + timedelta(days=day),
            "state": state,
            "platform_visible": visible,
            "from_sweep": from_sweep,
            **counts,
        }
        for (day, state, visible, from_sweep), counts in rows.items()
    ]


def case_days_as_of() -> datetime | None:
    """When ``CaseDay`` was last rebuilt (None: never)."""
    return (
        CaseDayRefresh.objects.order_by("-refreshed_at")
        .values_list("refreshed_at", flat=True)
        .first()
    )


def repeat_infringers(*, platform_only: bool = False) -> list[list]:
    """Seller handles seen in at least ``REPEAT_INFRINGER_MIN_CASES`` cases of the whole MOU, most
    cases first (the takedowns app's rule, as its admin flags them).

    DIP reads the counts the takedowns app keeps per handle (PlatformSeller, indexed). The liaison
    counts only the cases the liaison sees: computed when ``CaseDay`` is rebuilt, and kept with it.
    """
    minimum = REPEAT_INFRINGER_MIN_CASES
    if not platform_only:
        rows = (
            PlatformSeller.objects.filter(case_count__gte=minimum)
            .order_by("-case_count", "handle")
            .values_list("handle", "case_count")[:TOP_REPEAT_INFRINGERS]
        )
        return [list(row) for row in rows]
    kept = CaseDayRefresh.objects.order_by("-refreshed_at").values_list(
        "platform_repeat_infringers", flat=True
    )
    return list(kept.first() or [])


def platform_repeat_infringers() -> list[list]:
    """What ``repeat_infringers(platform_only=True)`` reads, computed (when CaseDay is rebuilt)."""
    rows = (
        InfringingItem.objects.filter(case__in=TakedownCase.objects.filter(PLATFORM_VISIBLE_CASES))
        .exclude(seller_handle="")
        .order_by()
        .values("seller_handle")
        .annotate(cases=Count("case", distinct=True))
        .filter(cases__gte=REPEAT_INFRINGER_MIN_CASES)
        .order_by("-cases", "seller_handle")[:TOP_REPEAT_INFRINGERS]
    )
    return [[row["seller_handle"], row["cases"]] for row in rows]


def takedown_percentiles(scope: Scope, span: Span, as_of: datetime | None) -> tuple:
    """Median and 90th percentile time to takedown of the cases removed in ``span`` (by
    ``as_of``, when the counts were taken): one query, answered from an index on PostgreSQL."""
    removed = cases_in_scope(scope).filter(
        Q(removed_at__isnull=False, takedown_seconds__isnull=False) & moment_q("removed_at", *span)
    )
    if as_of is not None:
        removed = removed.filter(removed_at__lte=as_of)
    return tuple(percentiles(removed, F("takedown_seconds"), (0.5, 0.9)))


def overdue_now(scope: Scope) -> int:
    """Forwarded cases waiting for a decision past their deadline now (the takedowns app's rule,
    the same as the case list's "Overdue now" filter)."""
    return sla.overdue_cases(queryset=cases_in_scope(scope)).count()


# --- MOU targets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """What a target measures: the function that counts it, how it reads, and which tile of the
    page shows the same figure over the dashboard's period."""

    actuals: Callable[[dict], dict]
    kind: str
    tile: tuple[str, str]


def _field(function, name):
    return lambda spans: {key: row[name] for key, row in function(spans).items()}


METRICS = {
    TargetMetric.GI_PRODUCTS_LISTED: Metric(
        promoted_thai_products, "int", ("gi", "products_promoted")
    ),
    TargetMetric.SELLERS_ONBOARDED: Metric(
        _field(onboarding_totals, "live"), "int", ("gi", "live_shops")
    ),
    TargetMetric.PROMOTION_ACTIVITIES: Metric(
        _field(promotion_totals, "n"), "int", ("gi", "promotions")
    ),
    TargetMetric.PROMOTION_GMV: Metric(_field(promotion_totals, "gmv"), "money", ("gi", "gmv")),
    TargetMetric.CASES_FORWARDED: Metric(
        _field(case_totals, "forwarded"), "int", ("takedowns", "forwarded")
    ),
    TargetMetric.REMOVAL_RATE: Metric(
        _field(case_totals, "removal_rate"), "percent", ("takedowns", "removal_rate")
    ),
    TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS: Metric(
        _field(case_totals, "within_3wd_pct"), "percent", ("takedowns", "within_3wd_pct")
    ),
    TargetMetric.PEOPLE_TRAINED: Metric(
        _field(attendance_totals, "trained"), "int", ("training", "people_trained")
    ),
    TargetMetric.TRAINING_SESSIONS: Metric(sessions_held, "int", ("training", "sessions")),
    TargetMetric.CONSULTATIONS: Metric(
        _field(consultation_totals, "n"), "int", ("training", "consultations")
    ),
}


#: Kinds of figure that add up over time: their targets are pro-rated to a shorter period.
CUMULATIVE_KINDS = frozenset({"int", "money", "number"})


def whole_number(value: float) -> float | int:
    """200.0 → 200: a count or an amount without a fraction is shown without one."""
    return int(value) if float(value).is_integer() else value


def target_for_period(value, kind: str, counted_days: int, period_days: int):
    """(the target for the days counted, whether it was pro-rated). A count or an amount over
    part of its period is pro-rated by days (a two-year target over one month: 1/24 of it); a
    rate or a share is the same over any period."""
    whole = float(value)
    if kind not in CUMULATIVE_KINDS or counted_days >= period_days or period_days <= 0:
        return whole_number(whole), False
    return whole_number(round(whole * counted_days / period_days, 1)), True


#: Periods one figure query counts at most (each may take several of its columns).
SPANS_PER_QUERY = 200


def targets_section(scope: Scope) -> list[dict]:
    """Each target's actual value over its own period narrowed to the dashboard's dates: one
    query per metric, not per target. A target counts what happened within that period."""
    targets = Target.objects.select_related("workstream").order_by(
        "workstream__code", "due_date", "pk"
    )
    if scope.workstream:
        targets = targets.filter(workstream__code=scope.workstream)
    targets = list(targets)
    spans = {
        target.pk: _overlap(target.period_start, target.due_date, scope.date_from, scope.date_to)
        for target in targets
    }
    by_metric: dict[str, dict] = {}
    for target in targets:
        by_metric.setdefault(target.metric, {})[target.pk] = spans[target.pk]
    actuals: dict[int, float | None] = {}
    for metric, periods in by_metric.items():
        known = METRICS.get(metric)
        if known is None:
            actuals.update(dict.fromkeys(periods))
            continue
        # targets that share a period share its figure; a query names at most a few hundred
        # periods (PostgreSQL allows 1,664 columns, and a metric may count several per period)
        distinct = list(dict.fromkeys(periods.values()))
        by_span: dict = {}
        for start in range(0, len(distinct), SPANS_PER_QUERY):
            batch = distinct[start : start + SPANS_PER_QUERY]
            by_span.update(known.actuals({span: span for span in batch}))
        actuals.update((pk, by_span[span]) for pk, span in periods.items())
    rows = []
    for target in targets:
        actual = actuals.get(target.pk)
        known = METRICS.get(target.metric)
        kind = known.kind if known else "number"
        start, end = spans[target.pk]
        period_days = (target.due_date - target.period_start).days + 1
        counted_days = max(0, (end - start).days + 1) if start and end else 0
        if scope.date_from is None:  # up to a day (or now): progress against the whole target
            counted_days = period_days
        goal, prorated = target_for_period(target.target_value, kind, counted_days, period_days)
        rows.append(
            {
                "id": target.pk,
                "workstream": target.workstream.code,
                "name": target.name,
                "metric": target.metric,
                "kind": kind,
                "tile": "-".join(known.tile) if known else None,
                "unit": target.unit,
                "target": goal,
                "target_whole": whole_number(float(target.target_value)),
                "prorated": prorated,
                "counted_days": counted_days,
                "period_days": period_days,
                "actual": actual,
                "percent": None
                if actual is None or not goal
                else round(100.0 * float(actual) / goal, 1),
                "period_start": target.period_start.isoformat(),
                "due_date": target.due_date.isoformat(),
                "counted_from": start.isoformat() if start else None,
                "counted_to": end.isoformat() if end else None,
            }
        )
    return rows


# --- GI promotion -------------------------------------------------------------------------------


def gi_section(scope: Scope) -> dict:
    span = scope.span
    applications = OnboardingApplication.objects.filter(moment_q("created_at", *span))
    by_status = dict(
        applications.order_by()
        .values_list("status")
        .annotate(n=Count("seller", distinct=True))
        .values_list("status", "n")
    )
    funnel = onboarding_totals({"page": span})["page"]
    totals = promotion_totals({"page": span})["page"]
    by_month = (
        PromotionActivity.objects.filter(date_q("held_on", *span))
        .order_by()
        .annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(n=Count("pk"), gmv=Sum("gmv_thb"))
        .order_by("month")
    )
    return {
        "products": catalog_products({"page": span})["page"],
        "products_promoted": promoted_thai_products({"page": span})["page"],
        "sellers": Seller.objects.count(),
        "sellers_applied": funnel["applied"],
        "live_shops": funnel["live"],
        "promotions": totals["n"],
        "views": totals["views"],
        "orders": totals["orders"],
        "gmv": totals["gmv"],
        "onboarding_by_state": [
            [status.value, by_status.get(status.value, 0)] for status in OnboardingStatus
        ],
        "gmv_by_month": [
            [row["month"].strftime("%Y-%m"), row["n"], money(row["gmv"])] for row in by_month
        ],
    }


# --- IP protection: notice and takedown ---------------------------------------------------------


def takedowns_section(scope: Scope) -> dict:
    span = scope.span
    rows = case_breakdown(span, platform_only=scope.platform_only)
    totals = sum_counts(rows)
    by_state: dict[str, int] = {}
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + (row["created"] or 0)
    median, p90 = takedown_percentiles(scope, span, case_days_as_of())
    return {
        "cases": totals["created"],
        "forwarded": totals["forwarded"],
        "decided": totals["decided"],
        "removed": totals["decided_removed"],
        "median_hours": hours(median),
        "p90_hours": hours(p90),
        "within_24h_pct": totals["within_24h_pct"],
        "within_3wd_pct": totals["within_3wd_pct"],
        "removal_rate": totals["removal_rate"],
        "reinstatement_rate": totals["reinstatement_rate"],
        "overdue_now": overdue_now(scope),
        "by_state": [[state.value, by_state.get(state.value, 0)] for state in CaseState],
        "repeat_infringers": repeat_infringers(platform_only=scope.platform_only),
    }


# --- monitoring sweeps (DIP's own searches of the platform) ------------------------------------
#
# The takedowns app defines the sweep figures (takedowns.sweeps); cases by source are the takedown
# counts of the same period, split by whether the case came from a sweep finding.


def monitoring_section(scope: Scope) -> dict:
    span = scope.span
    sweeps = MonitoringSweep.objects.filter(date_q("swept_on", *span))
    per_month = sweeps_per_month(queryset=sweeps)
    per_sweep = findings_per_sweep(queryset=sweeps)
    rows = case_breakdown(span, platform_only=scope.platform_only)
    from_sweeps = sum_counts(rows, lambda row: row["from_sweep"])
    from_holders = sum_counts(rows, lambda row: not row["from_sweep"])
    return {
        "sweeps": sum(row["sweeps"] for row in per_month),
        "findings": sum(row["findings"] for row in per_month),
        "findings_per_sweep": None if per_sweep is None else round(per_sweep, 1),
        "hours_spent": round(sum(row["minutes"] for row in per_month) / 60.0, 1),
        "cases_from_sweeps": from_sweeps["created"],
        "cases_from_rights_holders": from_holders["created"],
        "removal_rate_sweeps": from_sweeps["removal_rate"],
        "removal_rate_rights_holders": from_holders["removal_rate"],
        "sweeps_by_month": [
            [row["month"].strftime("%Y-%m"), row["sweeps"], row["findings"]] for row in per_month
        ],
    }


# --- capacity building -------------------------------------------------------------------------


def training_section(scope: Scope) -> dict:
    """Sessions held (started by now) in the period, who attended and who completed them."""
    span = scope.span
    attendance = attendance_totals({"page": span})["page"]
    consulted = consultation_totals({"page": span})["page"]
    by_month = (
        TrainingSession.objects.filter(_held_q() & moment_q("starts_at", *span))
        .order_by()
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(
            n=Count("pk", distinct=True),
            attended=Count("attendances", filter=Q(attendances__attended=True)),
        )
        .order_by("month")
    )
    consultations = Consultation.objects.filter(date_q("consulted_on", *span))
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
        "people_trained": attendance["trained"],
        "sessions": sessions_held({"page": span})["page"],
        "registered": attendance["registered"],
        "attended": attendance["attended"],
        "attendance_rate": percent(attendance["attended"], attendance["registered"]),
        "completion_rate": percent(attendance["completed"], attendance["attended"]),
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
    """Every figure the scope may see, computed now by the database (the takedown counts as of
    the last rebuild of ``CaseDay``: ``services.figures_get`` keeps it fresh)."""
    sections = {}
    for key in scope.sections:
        compute = SECTION_FUNCTIONS.get(key)
        sections[key] = compute(scope) if compute else None
    counted = {"targets", "takedowns", "monitoring"} & set(scope.sections)
    computed_at = (case_days_as_of() if counted else None) or timezone.now()
    figures = {
        "computed_at": computed_at.isoformat(),
        "scope": scope.as_dict(),
        "period": scope.period(),
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
            OnboardingApplication.objects.filter(moment_q("created_at", *scope.span))
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
            PromotionActivity.objects.filter(date_q("held_on", *scope.span))
            .order_by("held_on", "pk")
            .values_list(
                "held_on", "kind", "title", "seller__name", "views", "orders", "gmv_thb", "url"
            ),
        ),
    ]


def _training_details(scope: Scope) -> list[Detail]:
    sessions = (
        TrainingSession.objects.filter(
            Q(starts_at__lte=timezone.now()) & moment_q("starts_at", *scope.span)
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
        Consultation.objects.filter(date_q("consulted_on", *scope.span))
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
        .filter(moment_q("created_at", *scope.span))
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
        MonitoringSweep.objects.filter(date_q("swept_on", *scope.span))
        .order_by("swept_on", "pk")
        .annotate(
            n_findings=Count("findings", distinct=True),
            reference=Concat(Value("SW-"), LPad(Cast("pk", CharField()), 6, Value("0"))),
            officer_name=Coalesce(
                NullIf(
                    Trim(Concat("officer__first_name", Value(" "), "officer__last_name")), Value("")
                ),
                "officer__username",
            ),
        )
        .values_list("reference", "swept_on", "officer_name", "minutes_spent", "n_findings")
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
