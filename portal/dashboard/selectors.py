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
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gi_catalog.choices import OnboardingStatus
from gi_catalog.models import GIProduct, OnboardingApplication, PromotionActivity, Seller
from portal.choices import TargetMetric, WorkstreamCode
from portal.models import Target
from training.choices import ConsultationTopic
from training.models import Attendance, Consultation, TrainingSession

#: Which sections each workstream shows; the liaison sees only ``takedowns``.
SECTIONS_BY_WORKSTREAM = {
    WorkstreamCode.GI_PROMOTION: ("targets", "gi"),
    WorkstreamCode.IP_PROTECTION: ("targets", "takedowns"),
    WorkstreamCode.CAPACITY_BUILDING: ("targets", "training"),
}
ALL_SECTIONS = ("targets", "gi", "takedowns", "training")
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


#: metric -> function(periods: {target_pk: (start, end)}) -> {target_pk: actual}
METRIC_ACTUALS = {
    TargetMetric.GI_PRODUCTS_LISTED: _actual_gi_products,
    TargetMetric.SELLERS_ONBOARDED: _actual_sellers_onboarded,
    TargetMetric.PROMOTION_ACTIVITIES: _actual_promotion_activities,
    TargetMetric.PROMOTION_GMV: _actual_promotion_gmv,
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


def _targets_details(scope: Scope) -> list[Detail]:
    return []


DETAIL_FUNCTIONS = {
    "targets": _targets_details,
    "gi": _gi_details,
    "training": _training_details,
}


def details(section: str, scope: Scope) -> list[Detail]:
    compute = DETAIL_FUNCTIONS.get(section)
    return compute(scope) if compute and section in scope.sections else []


def detail_row_count(scope: Scope) -> int:
    """How many rows a report of ``scope`` holds: decides between streaming and a Celery job."""
    return sum(d.queryset.count() for section in scope.sections for d in details(section, scope))
