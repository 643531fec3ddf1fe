"""Names and layout of the figures ``selectors.compute_figures()`` returns, in the reader's language.

The page, the workbook and the CSV files lay figures out from these lists, so a figure has one
label and one place everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from gi_catalog.choices import OnboardingStatus
from portal.choices import TargetMetric, WorkstreamCode
from portal.dashboard.selectors import local_start
from portal.dates import local_date, local_month
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
        ("products_promoted", _("Thai GI products promoted"), "int"),
        ("sellers", _("Sellers"), "int"),
        ("sellers_applied", _("Sellers who applied for onboarding"), "int"),
        ("live_shops", _("Live shops"), "int"),
        ("promotions", _("Promotion activities"), "int"),
        ("views", _("Views"), "int"),
        ("orders", _("Orders"), "int"),
        ("gmv", _("GMV"), "money"),
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
        ("overdue_now", _("Awaiting a decision past the deadline"), "int"),
    ],
    "monitoring": [
        ("sweeps", _("Monitoring sweeps"), "int"),
        ("findings", _("Findings"), "int"),
        ("findings_per_sweep", _("Findings per sweep"), "number"),
        ("hours_spent", _("Time spent searching"), "hours"),
        ("cases_from_sweeps", _("Cases opened from sweeps"), "int"),
        ("cases_from_rights_holders", _("Cases opened from rights holders"), "int"),
        ("removal_rate_sweeps", _("Removal rate of cases from sweeps"), "percent"),
        ("removal_rate_rights_holders", _("Removal rate of cases from rights holders"), "percent"),
    ],
    "training": [
        ("people_trained", _("People trained (completed a course)"), "int"),
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

#: Figures that count what exists now, whatever the period (every other figure counts the period).
NOW_FIGURES = {
    ("gi", "products"),
    ("gi", "sellers"),
    ("takedowns", "overdue_now"),
}

#: Tiles that open the case list filtered to exactly the cases they count:
#: (section, key) -> ("period", date field) or ("filter", {parameter: value}).
CASE_LINKS = {
    ("takedowns", "cases"): ("period", "created_at"),
    ("takedowns", "forwarded"): ("period", "forwarded_at"),
    ("takedowns", "decided"): ("period", "decided_at"),
    ("takedowns", "overdue_now"): ("filter", {"sla": "overdue"}),
}

#: The unit written beside a number in the reports' "Unit" column.
UNITS = {
    "money": _("THB"),
    "percent": "%",
    "hours": _("hours"),
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

#: The target table of the page.
TARGET_HEADERS = (
    _("Workstream"),
    _("KPI"),
    _("Metric"),
    _("Target"),
    _("Actual"),
    _("Progress"),
    _("Counted over"),
    _("Due date"),
)

#: The target table of the reports (numbers in cells of their own, the unit beside them).
TARGET_REPORT_HEADERS = (
    _("Workstream"),
    _("KPI"),
    _("Metric"),
    _("Target"),
    _("Actual"),
    _("Unit"),
    _("Progress (%)"),
    _("Counted from"),
    _("Counted to"),
    _("Due date"),
    _("How it is counted"),
)


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


# --- numbers, units and periods, written the same way everywhere ---------------------------------


def display(kind: str, value, unit: str = "") -> str:
    """A figure as the reader sees it: thousands separators, 2 decimals and THB for money, one
    decimal and % for a share, hours written out; ``unit`` follows a plain count."""
    if value is None:
        return "–"
    if kind == "money":
        amount = number_format(value, 2, force_grouping=True)
        return _("%(amount)s THB") % {"amount": amount}
    if kind == "percent":
        return f"{number_format(value, 1, force_grouping=True)}%"
    if kind == "hours":
        return _("%(hours)s hours") % {"hours": number_format(value, 1, force_grouping=True)}
    if kind == "number":
        return number_format(value, 1, force_grouping=True)
    whole = float(value).is_integer()  # a pro-rated count target may have a tenth
    text = number_format(
        value if not whole else round(value), 0 if whole else 1, force_grouping=True
    )
    return f"{text} {unit}" if unit else text


def _date(iso: str | None) -> str:
    return local_date(date.fromisoformat(iso)) if iso else ""


def period_label(period: dict | None) -> str:
    """The period a figure counts over, in words: since the MOU was signed, between two dates…"""
    period = period or {}
    start, end = period.get("start"), period.get("end")
    if period.get("since_mou_start"):
        if end:
            return _("since the MOU was signed (%(start)s) until %(end)s") % {
                "start": _date(start),
                "end": _date(end),
            }
        return _("since the MOU was signed (%(start)s)") % {"start": _date(start)}
    if start and end:
        return _("%(start)s – %(end)s") % {"start": _date(start), "end": _date(end)}
    if start:
        return _("since %(start)s") % {"start": _date(start)}
    if end:
        return _("until %(end)s") % {"end": _date(end)}
    return _("all records")


def now_label() -> str:
    return str(_("now"))


def unit_of(kind: str) -> str:
    return str(UNITS.get(kind, ""))


def case_link(section: str, key: str, period: dict | None, case_list_url: str | None, **extra):
    """The case list filtered to exactly the cases a figure counts (None if it has no list)."""
    link = CASE_LINKS.get((section, key))
    if not case_list_url or (link is None and not extra):
        return None
    params: dict[str, str] = {}
    if link and link[0] == "filter":
        params.update(link[1])
    else:
        moment = link[1] if link else "created_at"
        start, end = (period or {}).get("start"), (period or {}).get("end")
        if start:
            params[f"{moment}__gte"] = local_start(date.fromisoformat(start)).isoformat()
        if end:
            next_day = date.fromisoformat(end) + timedelta(days=1)
            params[f"{moment}__lt"] = local_start(next_day).isoformat()
        if moment != "created_at":
            params[f"{moment}__isnull"] = "False"  # every case has been created, not forwarded
    params.update(extra)
    return f"{case_list_url}?{urlencode(params)}" if params else case_list_url


def scalar_rows(
    section: str, data: dict | None, period: dict | None = None, case_list_url: str | None = None
) -> list[dict]:
    """The tiles of one section, in display order: label, value, its text, period and link."""
    if not data:
        return []
    rows = []
    for key, label, kind in SCALARS.get(section, []):
        value = data.get(key)
        now = (section, key) in NOW_FIGURES
        rows.append(
            {
                "key": key,
                "label": str(label),
                "value": value,
                "kind": kind,
                "text": display(kind, value),
                "unit": unit_of(kind),
                "period": now_label() if now else str(period_label(period)),
                "link": case_link(section, key, period, case_list_url),
            }
        )
    return rows


def tables(
    section: str, data: dict | None, period: dict | None = None, case_list_url: str | None = None
) -> list[dict]:
    """The section's tables with translated headers and first-column labels; the cases by state
    link each state to the case list of those cases."""
    if not data:
        return []
    result = []
    for key, title, headers, choices in TABLES.get(section, []):
        rows, links = [], []
        for row in data.get(key) or []:
            row = list(row)
            link = None
            if key == "by_state":
                link = case_link(section, key, period, case_list_url, state__exact=row[0])
            if choices is not None:
                row[0] = str(_label(choices, row[0]))
            elif key.endswith("_by_month"):
                row[0] = local_month(row[0])
            rows.append(row)
            links.append(link)
        whole_mou = key == "repeat_infringers"
        result.append(
            {
                "key": key,
                "title": str(title),
                "headers": [str(h) for h in headers],
                "rows": rows,
                "lines": [(_shown(row), link) for row, link in zip(rows, links, strict=True)],
                "period": str(_("whole MOU, now")) if whole_mou else str(period_label(period)),
            }
        )
    return result


def _shown(row: list) -> list:
    """A table row as the page writes it: counts with thousands separators, money in THB."""
    return [
        cell
        if i == 0 or not isinstance(cell, int | float)
        else number_format(cell, 2 if isinstance(cell, float) else 0, force_grouping=True)
        for i, cell in enumerate(row)
    ]


def _target_period(row: dict) -> dict:
    return {"start": row.get("counted_from"), "end": row.get("counted_to")}


def target_counting(row: dict) -> str:
    """How a target is counted over the dashboard's period, in a sentence."""
    if row.get("kind", "number") not in ("int", "money", "number"):
        return str(_("A rate: the same target over any period."))
    if row.get("prorated"):
        return str(
            _("Pro-rated: %(days)s of its %(period)s days, of a whole target of %(whole)s.")
            % {
                "days": number_format(row["counted_days"], 0, force_grouping=True),
                "period": number_format(row["period_days"], 0, force_grouping=True),
                "whole": display(row.get("kind", "number"), row.get("target_whole")),
            }
        )
    return str(_("The whole target: its whole period is counted."))


def target_rows(rows: list[dict] | None) -> list[dict]:
    """The target table of the page: values written with their unit, and the counting period."""
    result = []
    for row in rows or []:
        kind = row.get("kind", "number")
        unit = row["unit"] if kind == "int" else ""
        result.append(
            {
                "id": row["id"],
                "metric": row["metric"],
                "tile": row.get("tile"),
                "workstream": str(_label(WorkstreamCode, row["workstream"])),
                "name": row["name"],
                "metric_label": str(_label(TargetMetric, row["metric"])),
                "target": row["target"],
                "actual": row["actual"],
                "target_text": display(kind, row["target"], unit),
                "counting": target_counting(row),
                "actual_text": display(kind, row["actual"], unit),
                "percent": row["percent"],
                "percent_text": display("percent", row["percent"]),
                "period": str(period_label(_target_period(row))),
                "due_date": _date(row["due_date"]),
            }
        )
    return result


def _as_date(value: str | None) -> date | None:
    """An ISO day kept in the figures, as a date (a date cell in a spreadsheet)."""
    return date.fromisoformat(value) if value else None


def target_lines(rows: list[dict] | None) -> list[list]:
    """The target table of the reports, in the columns of ``TARGET_REPORT_HEADERS``."""
    return [
        [
            str(_label(WorkstreamCode, row["workstream"])),
            row["name"],
            str(_label(TargetMetric, row["metric"])),
            row["target"],
            row["actual"],
            unit_of(row.get("kind", "")) or row["unit"],
            row["percent"],
            _as_date(row.get("counted_from")),
            _as_date(row.get("counted_to")),
            _as_date(row["due_date"]),
            target_counting(row),
        ]
        for row in rows or []
    ]


def people_trained_target(figures: dict) -> dict | None:
    """The target row of people trained (the one due last): the chart draws it against its
    actual value, both from the target table."""
    rows = [
        row
        for row in figures["sections"].get("targets") or []
        if row["metric"] == TargetMetric.PEOPLE_TRAINED
    ]
    return max(rows, key=lambda row: (row["due_date"], row["id"])) if rows else None


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
            "unit": "money",
            "axis": str(_("THB")),
            "labels": [local_month(month) for month, _n, _g in gi["gmv_by_month"]],
            "series": [
                {"label": str(_("GMV (THB)")), "data": [g for _m, _n, g in gi["gmv_by_month"]]}
            ],
        }
    takedowns = sections.get("takedowns")
    if takedowns:
        charts["takedown_states"] = {
            "type": "bar",
            "horizontal": True,
            "all_labels": True,
            "axis": str(_("Cases")),
            "labels": [str(_label(CaseState, s)) for s, _n in takedowns["by_state"]],
            "series": [{"label": str(_("Cases")), "data": [n for _s, n in takedowns["by_state"]]}],
        }
        charts["takedown_speed"] = {
            "type": "bar",
            "unit": "hours",
            "axis": str(_("Hours")),
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
            "unit": "percent",
            "all_labels": True,
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
            "all_labels": True,
            "axis": str(_("Cases")),
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
            "unit": "percent",
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
        people = people_trained_target(figures)
        if people is not None:
            charts["training_people"] = {
                "type": "bar",
                "horizontal": True,
                "axis": str(_("People")),
                "labels": [str(_("People trained")), str(_("Target"))],
                "series": [
                    {"label": str(_("People")), "data": [people["actual"], people["target"]]}
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
    """A bar chart of [month, value, value, ...] rows, one series per value column; the months
    in the reader's calendar ("พ.ย. 2569" in Thai)."""
    return {
        "type": "bar",
        "labels": [local_month(row[0]) for row in rows],
        "series": [
            {"label": str(label), "data": [row[i + 1] for row in rows]}
            for i, label in enumerate(labels)
        ],
    }
