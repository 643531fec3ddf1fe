"""Names and layout of the figures ``selectors.compute_figures()`` returns, in the reader's language.

The page, the workbook and the CSV files lay figures out from these lists, so a figure has one
label and one place everywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gi_catalog.choices import OnboardingStatus
from portal.choices import TargetMetric, WorkstreamCode
from takedowns.choices import CaseState
from training.choices import ConsultationTopic

SECTION_TITLES = {
    "targets": _("MOU targets"),
    "gi": _("GI promotion"),
    "takedowns": _("IP protection: notice and takedown"),
    "monitoring": _("IP protection: monitoring sweeps"),
    "training": _("Capacity building"),
}

#: Workbook sheet names (at most 31 characters).
SHEET_TITLES = {
    "targets": _("MOU targets"),
    "gi": _("GI promotion"),
    "takedowns": _("Takedowns"),
    "monitoring": _("Monitoring sweeps"),
    "training": _("Capacity building"),
}

#: section -> [(key, label, kind)]; kind is "int", "money", "percent", "hours" or "number".
SCALARS = {
    "gi": [
        ("products", _("GI products in the catalog"), "int"),
        ("sellers", _("Sellers"), "int"),
        ("sellers_applied", _("Sellers who applied for onboarding"), "int"),
        ("live_shops", _("Live shops"), "int"),
        ("promotions", _("Promotion activities"), "int"),
        ("views", _("Views"), "int"),
        ("orders", _("Orders"), "int"),
        ("gmv", _("GMV (THB)"), "money"),
    ],
    "takedowns": [
        ("cases", _("Cases opened"), "int"),
        ("forwarded", _("Cases forwarded to the platform"), "int"),
        ("decided", _("Cases decided by the platform"), "int"),
        ("removed", _("Decided cases removed"), "int"),
        ("median_hours", _("Median time to takedown"), "hours"),
        ("p90_hours", _("90th percentile time to takedown"), "hours"),
        ("within_24h_pct", _("Decided within 24 hours"), "percent"),
        ("within_3wd_pct", _("Decided within 3 working days"), "percent"),
        ("removal_rate", _("Removal rate"), "percent"),
        ("reinstatement_rate", _("Reinstatement rate"), "percent"),
        ("overdue_now", _("Awaiting a decision past the deadline now"), "int"),
    ],
    "monitoring": [
        ("sweeps", _("Monitoring sweeps"), "int"),
        ("findings", _("Findings"), "int"),
        ("findings_per_sweep", _("Findings per sweep"), "number"),
        ("hours_spent", _("Hours spent searching"), "number"),
        ("cases_from_sweeps", _("Cases from sweeps (whole MOU)"), "int"),
        ("cases_from_rights_holders", _("Cases from rights holders (whole MOU)"), "int"),
        ("removal_rate_sweeps", _("Removal rate of cases from sweeps"), "percent"),
        ("removal_rate_rights_holders", _("Removal rate of cases from rights holders"), "percent"),
    ],
    "training": [
        ("people_trained", _("People trained (completed a course)"), "int"),
        ("people_target", _("Target: people trained"), "int"),
        ("people_trained_pct", _("People trained, share of the target"), "percent"),
        ("sessions", _("Training sessions held"), "int"),
        ("registered", _("Registrations"), "int"),
        ("attended", _("Attendances"), "int"),
        ("attendance_rate", _("Attendance rate"), "percent"),
        ("completion_rate", _("Completion rate of attendees"), "percent"),
        ("consultations", _("Consultations given to entrepreneurs"), "int"),
        ("consultations_followed_up", _("Consultations with a follow-up"), "int"),
        ("follow_up_share", _("Share of consultations with a follow-up"), "percent"),
    ],
}

#: section -> [(key, title, column headers, choices of the first column or None)]
TABLES = {
    "gi": [
        (
            "onboarding_by_state",
            _("Sellers by onboarding state"),
            (_("State"), _("Sellers")),
            OnboardingStatus,
        ),
        (
            "gmv_by_month",
            _("Promotion activities and GMV by month"),
            (_("Month"), _("Activities"), _("GMV (THB)")),
            None,
        ),
    ],
    "takedowns": [
        ("by_state", _("Cases by state"), (_("State"), _("Cases")), CaseState),
        (
            "repeat_infringers",
            _("Top repeat infringers (seller handles in several cases)"),
            (_("Seller handle"), _("Cases")),
            None,
        ),
    ],
    "monitoring": [
        (
            "sweeps_by_month",
            _("Sweeps and findings by month"),
            (_("Month"), _("Sweeps"), _("Findings")),
            None,
        ),
    ],
    "training": [
        (
            "sessions_by_month",
            _("Sessions and attendances by month"),
            (_("Month"), _("Sessions"), _("Attendances")),
            None,
        ),
        (
            "consultations_by_topic",
            _("Consultations by topic"),
            (_("Topic"), _("Consultations")),
            ConsultationTopic,
        ),
        (
            "consultations_by_month",
            _("Consultations by month"),
            (_("Month"), _("Consultations"), _("With a follow-up")),
            None,
        ),
    ],
}

#: section -> the charts drawn under its figures (keys of ``chart_data()``), with their titles.
CHARTS_BY_SECTION = {
    "gi": (
        ("gi_funnel", _("From products to promotions")),
        ("gi_onboarding", _("Sellers by onboarding state")),
        ("gi_gmv", _("GMV by month (THB)")),
    ),
    "takedowns": (
        ("takedown_states", _("Cases by state")),
        ("takedown_speed", _("How fast the platform acts")),
        ("takedown_shares", _("Decisions")),
        ("repeat_infringers", _("Top repeat infringers")),
    ),
    "monitoring": (
        ("monitoring_month", _("Sweeps and findings by month")),
        ("monitoring_sources", _("Removal rate by where the case came from")),
    ),
    "training": (
        ("training_people", _("People trained against the target")),
        ("training_sessions", _("Sessions and attendances by month")),
        ("consultations_topic", _("Consultations by topic")),
        ("consultations_month", _("Consultations by month")),
    ),
}

#: Trend lines drawn from the snapshots when there is no target to follow (the liaison).
TREND_SERIES = (
    ("forwarded", _("Cases forwarded")),
    ("median_hours", _("Median time to takedown (hours)")),
    ("within_3wd_pct", _("Decided within 3 working days (%)")),
    ("removal_rate", _("Removal rate (%)")),
)

TARGET_HEADERS = (
    _("Workstream"),
    _("KPI"),
    _("Metric"),
    _("Target"),
    _("Actual"),
    _("Progress (%)"),
    _("Unit"),
    _("Counted from"),
    _("Due date"),
)


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


def scalar_rows(section: str, data: dict | None) -> list[tuple[str, str, object, str]]:
    """[(key, label, value, kind)] of one section, in display order."""
    if not data:
        return []
    return [(key, str(label), data.get(key), kind) for key, label, kind in SCALARS.get(section, [])]


def tables(section: str, data: dict | None) -> list[dict]:
    """The section's tables with translated headers and first-column labels."""
    if not data:
        return []
    result = []
    for key, title, headers, choices in TABLES.get(section, []):
        rows = [list(row) for row in data.get(key) or []]
        if choices is not None:
            for row in rows:
                row[0] = str(_label(choices, row[0]))
        result.append(
            {"key": key, "title": str(title), "headers": [str(h) for h in headers], "rows": rows}
        )
    return result


def target_rows(rows: list[dict] | None) -> list[list]:
    return [
        [
            str(_label(WorkstreamCode, row["workstream"])),
            row["name"],
            str(_label(TargetMetric, row["metric"])),
            row["target"],
            row["actual"],
            row["percent"],
            row["unit"],
            row["period_start"],
            row["due_date"],
        ]
        for row in rows or []
    ]


def chart_data(figures: dict) -> dict:
    """What ``dashboard.js`` draws; passed to the page with ``json_script`` (no inline code)."""
    sections = figures["sections"]
    charts = {}
    gi = sections.get("gi")
    if gi:
        charts["gi_funnel"] = {
            "type": "bar",
            "labels": [
                str(_("GI products")),
                str(_("Sellers who applied")),
                str(_("Live shops")),
                str(_("Promotion activities")),
            ],
            "series": [
                {
                    "label": str(_("Count")),
                    "data": [
                        gi["products"],
                        gi["sellers_applied"],
                        gi["live_shops"],
                        gi["promotions"],
                    ],
                }
            ],
        }
        charts["gi_onboarding"] = {
            "type": "bar",
            "labels": [str(_label(OnboardingStatus, s)) for s, _n in gi["onboarding_by_state"]],
            "series": [
                {"label": str(_("Sellers")), "data": [n for _s, n in gi["onboarding_by_state"]]}
            ],
        }
        charts["gi_gmv"] = {
            "type": "line",
            "labels": [month for month, _n, _g in gi["gmv_by_month"]],
            "series": [
                {"label": str(_("GMV (THB)")), "data": [g for _m, _n, g in gi["gmv_by_month"]]}
            ],
        }
    takedowns = sections.get("takedowns")
    if takedowns:
        charts["takedown_states"] = {
            "type": "bar",
            "labels": [str(_label(CaseState, s)) for s, _n in takedowns["by_state"]],
            "series": [{"label": str(_("Cases")), "data": [n for _s, n in takedowns["by_state"]]}],
        }
        charts["takedown_speed"] = {
            "type": "bar",
            "labels": [str(_("Median")), str(_("90th percentile"))],
            "series": [
                {
                    "label": str(_("Hours to takedown")),
                    "data": [takedowns["median_hours"], takedowns["p90_hours"]],
                }
            ],
        }
        charts["takedown_shares"] = {
            "type": "bar",
            "max": 100,
            "labels": [
                str(_("Within 24 hours")),
                str(_("Within 3 working days")),
                str(_("Removed")),
                str(_("Reinstated")),
            ],
            "series": [
                {
                    "label": "%",
                    "data": [
                        takedowns["within_24h_pct"],
                        takedowns["within_3wd_pct"],
                        takedowns["removal_rate"],
                        takedowns["reinstatement_rate"],
                    ],
                }
            ],
        }
        charts["repeat_infringers"] = {
            "type": "bar",
            "horizontal": True,
            "labels": ["@" + h for h, _n in takedowns["repeat_infringers"]],
            "series": [
                {
                    "label": str(_("Cases")),
                    "data": [n for _h, n in takedowns["repeat_infringers"]],
                }
            ],
        }
    monitoring = sections.get("monitoring")
    if monitoring:
        charts["monitoring_month"] = _monthly(
            monitoring["sweeps_by_month"], (_("Sweeps"), _("Findings"))
        )
        charts["monitoring_sources"] = {
            "type": "bar",
            "max": 100,
            "labels": [str(_("From sweeps")), str(_("From rights holders"))],
            "series": [
                {
                    "label": str(_("Removal rate (%)")),
                    "data": [
                        monitoring["removal_rate_sweeps"],
                        monitoring["removal_rate_rights_holders"],
                    ],
                }
            ],
        }
    training = sections.get("training")
    if training:
        charts["training_people"] = {
            "type": "bar",
            "horizontal": True,
            "labels": [str(_("People trained")), str(_("Target"))],
            "series": [
                {
                    "label": str(_("People")),
                    "data": [training["people_trained"], training["people_target"]],
                }
            ],
        }
        charts["training_sessions"] = _monthly(
            training["sessions_by_month"], (_("Sessions"), _("Attendances"))
        )
        charts["consultations_topic"] = {
            "type": "doughnut",
            "labels": [
                str(_label(ConsultationTopic, t)) for t, _n in training["consultations_by_topic"]
            ],
            "series": [
                {
                    "label": str(_("Consultations")),
                    "data": [n for _t, n in training["consultations_by_topic"]],
                }
            ],
        }
        charts["consultations_month"] = _monthly(
            training["consultations_by_month"], (_("Consultations"), _("With a follow-up"))
        )
    return charts


def _monthly(rows, labels) -> dict:
    """A bar chart of [month, value, value, ...] rows, one series per value column."""
    return {
        "type": "bar",
        "labels": [row[0] for row in rows],
        "series": [
            {"label": str(label), "data": [row[i + 1] for row in rows]}
            for i, label in enumerate(labels)
        ],
    }
