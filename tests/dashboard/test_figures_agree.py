"""Issue 18, dashboard: one definition per figure, shown with its period and unit, linked to its
cases. Everything is read from what a reader gets: the rendered page and the downloaded workbook."""

import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gi_catalog.choices import OnboardingStatus
from portal.choices import TargetMetric
from portal.dashboard import presentation
from portal.models import Agreement
from tests.dashboard import builders as b

pytestmark = pytest.mark.django_db
URL = reverse("admin:dashboard")
REPORT = reverse("admin:dashboard_report")
MOU_SIGNED = date(2026, 1, 15)

#: Each target's metric and the tile that shows the same figure over the dashboard's period.
TILE_OF = {
    TargetMetric.GI_PRODUCTS_LISTED: ("gi", "products_promoted"),
    TargetMetric.SELLERS_ONBOARDED: ("gi", "live_shops"),
    TargetMetric.PROMOTION_ACTIVITIES: ("gi", "promotions"),
    TargetMetric.PROMOTION_GMV: ("gi", "gmv"),
    TargetMetric.CASES_FORWARDED: ("takedowns", "forwarded"),
    TargetMetric.REMOVAL_RATE: ("takedowns", "removal_rate"),
    TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS: ("takedowns", "within_3wd_pct"),
    TargetMetric.PEOPLE_TRAINED: ("training", "people_trained"),
    TargetMetric.TRAINING_SESSIONS: ("training", "sessions"),
    TargetMetric.CONSULTATIONS: ("training", "consultations"),
}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def number_in(text: str) -> float:
    """The number a reader sees in "1,234,567.89 THB", "66.7%" or "26.0 hours"."""
    digits = re.sub(r"[^0-9.\-]", "", text)
    return float(digits)


def tile(page: str, tile_id: str) -> tuple[str, str, str | None]:
    """(value text, period text, link) of one tile."""
    match = re.search(
        rf'id="stat-{tile_id}"[^>]*>.*?<dd class="value">(.*?)</dd>\s*<dd class="period">(.*?)</dd>',
        page,
        re.S,
    )
    assert match, tile_id
    link = re.search(r'href="([^"]+)"', match.group(1))
    return (
        text_of(match.group(1)),
        text_of(match.group(2)),
        unescape(link.group(1)) if link else None,
    )


def target_row(page: str, metric: str) -> tuple[str, str]:
    """(actual text, counted-over text) of the target row of ``metric``."""
    match = re.search(
        rf'<tr id="target-\d+" data-metric="{metric}".*?class="number actual-value"[^>]*>(.*?)</td>'
        r'.*?<td class="period"[^>]*>(.*?)</td>',
        page,
        re.S,
    )
    assert match, metric
    return text_of(match.group(1)), text_of(match.group(2))


def workbook_figures(workbook) -> tuple[dict, dict]:
    """{figure label: value} of every sheet's figures, and {metric label: actual} of the targets."""
    figures, targets = {}, {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            if row[:4] == ("Figure", "Value", "Unit", "Counted over"):
                for line in rows[i + 1 :]:
                    if not line or line[0] is None:
                        break
                    figures[line[0]] = line[1]
            if row[:5] == ("Workstream", "KPI", "Metric", "Target", "Actual"):
                for line in rows[i + 1 :]:
                    targets[line[2]] = line[4]
    return figures, targets


@pytest.fixture
def mou_with_history(django_user_model):
    """A year of MOU with some of every figure happening BEFORE it was signed: counted by nobody."""
    Agreement.objects.create(title="MOU", parties="DIP; TikTok", signed_on=MOU_SIGNED)
    for metric, value in (
        (TargetMetric.GI_PRODUCTS_LISTED, 10),
        (TargetMetric.SELLERS_ONBOARDED, 5),
        (TargetMetric.PROMOTION_ACTIVITIES, 10),
        (TargetMetric.PROMOTION_GMV, 5_000_000),
        (TargetMetric.CASES_FORWARDED, 10),
        (TargetMetric.REMOVAL_RATE, 90),
        (TargetMetric.DECIDED_WITHIN_3_WORKING_DAYS, 80),
        (TargetMetric.PEOPLE_TRAINED, 10),
        (TargetMetric.TRAINING_SESSIONS, 4),
        (TargetMetric.CONSULTATIONS, 10),
    ):
        b.target(metric, value, start=MOU_SIGNED, due=date(2027, 1, 14))
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    before, after = date(2025, 12, 20), date(2026, 2, 2)
    products = {}
    for day in (before, after):
        products[day] = b.product()
        b.application(OnboardingStatus.LIVE, created=b.at(day), live_at=b.at(day))
        b.consultation(day)
    b.activity(before, gmv="1000000").products.add(products[before])
    champagne = b.product(origin="foreign:FR", name_en="Champagne")  # protected, not promoted
    b.activity(after, gmv="1234567.89").products.add(products[after], champagne)
    b.activity(after + timedelta(days=30), gmv="100.50")
    course = b.course()
    for day, completers in ((before, 1), (after, 2)):
        session = b.session(course, b.at(day))
        for _ in range(completers):
            b.attendance(session, b.participant(), attended=True, completed=True)
    outcomes = ((before, "removed"), (after, "removed"), (after, "not_removed"))
    for n, (day, outcome) in enumerate((*outcomes, (after + timedelta(days=7), "removed"))):
        case = b.case(b.at(day - timedelta(days=1)), f"seller{n}")
        b.forward(case, admin, b.at(day, 9))
        b.move(
            case,
            admin,
            ("under_platform_review", b.at(day, 10)),
            (outcome, b.at(day, 10 + 2 * n)),
        )


def test_one_definition_per_figure_tiles_targets_and_workbook_agree(
    mou_with_history, manager, client_for
):
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(URL).content.decode()
    workbook = load_workbook(io.BytesIO(client.post(REPORT, {"format": "xlsx"}).content))
    figures, target_actuals = workbook_figures(workbook)
    signed = "since the MOU was signed (15 Jan 2026)"

    for metric, (section, key) in TILE_OF.items():
        tile_text, tile_period, _link = tile(page, f"{section}-{key}")
        actual_text, target_period = target_row(page, metric.value)
        assert number_in(tile_text) == number_in(actual_text), metric
        label = next(str(lbl) for k, lbl, _kind in presentation.SCALARS[section] if k == key)
        assert figures[label] == pytest.approx(number_in(tile_text), abs=0.005), metric
        assert target_actuals[str(metric.label)] == figures[label], metric
        # Each figure says what it counts over.
        if key != "products":  # the catalog is counted as it is now
            assert tile_period == signed, metric
        assert target_period == "15 Jan 2026 – 14 Jan 2027", metric

    # The pre-MOU history is left out of both (this is where the page disagreed with itself).
    assert tile(page, "gi-gmv")[0] == "1,234,668.39 THB"
    assert tile(page, "training-people_trained")[0] == "2"
    assert tile(page, "takedowns-removal_rate")[0] == "66.7%"
    assert tile(page, "gi-products")[1] == "now"
    # GI products promoted: Thai ones named by an activity since the MOU, not the catalogue
    assert tile(page, "gi-products_promoted")[0] == "1"
    assert "Counted over" in page and signed in text_of(page)


def test_units_percent_signs_money_and_hours_on_the_page(mou_with_history, manager, client_for):
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(URL).content.decode()
    assert tile(page, "takedowns-within_24h_pct")[0].endswith("%")
    assert re.fullmatch(r"[\d,]+\.\d hours", tile(page, "takedowns-median_hours")[0])
    assert tile(page, "gi-gmv")[0] == "1,234,668.39 THB"
    gmv_target = re.search(
        r'data-metric="promotion_gmv".*?target-value"[^>]*>(.*?)<small', page, re.S
    )
    assert text_of(gmv_target.group(1)) == "5,000,000.00 THB"
    removal_target = re.search(
        r'data-metric="removal_rate".*?target-value"[^>]*>(.*?)<small', page, re.S
    )
    assert text_of(removal_target.group(1)) == "90.0%"

    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    page = client.get(URL).content.decode()
    assert tile(page, "gi-gmv")[0] == "1,234,668.39 บาท"
    assert tile(page, "takedowns-median_hours")[0].endswith("ชั่วโมง")


def test_workbook_cells_carry_units_and_number_formats(mou_with_history, manager, client_for):
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    workbook = load_workbook(io.BytesIO(client.post(REPORT, {"format": "xlsx"}).content))
    sheet = workbook["GI promotion"]
    gmv = next(row for row in sheet.iter_rows() if row[0].value == "GMV")
    assert gmv[1].value == pytest.approx(1234668.39)
    assert gmv[1].number_format == "#,##0.00"
    assert gmv[2].value == "THB"
    assert gmv[3].value.startswith("since the MOU was signed")


# --- tiles link to the cases behind them -----------------------------------------------------


@pytest.fixture
def open_and_overdue_cases(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    today = date.today()
    for n in range(3):  # forwarded long ago, no decision: past their deadline now
        b.forward(
            b.case(b.at(today - timedelta(days=40)), f"late{n}"),
            admin,
            b.at(today - timedelta(days=30)),
        )
    waiting = b.case(b.at(today - timedelta(days=1)), "fresh")  # forwarded today: not late yet
    b.forward(waiting, admin, b.at(today, 0, 5))
    decided = b.case(b.at(today - timedelta(days=20)), "done")
    b.forward(decided, admin, b.at(today - timedelta(days=10)))
    b.move(
        decided,
        admin,
        ("under_platform_review", b.at(today - timedelta(days=10), 11)),
        ("removed", b.at(today - timedelta(days=9))),
    )
    b.case(b.at(today - timedelta(days=2)), "draft")  # a DIP draft: not the liaison's


@pytest.mark.parametrize("role", ["manager", "liaison", "officer"])
def test_tiles_link_to_exactly_the_cases_behind_them(
    role, open_and_overdue_cases, role_users, client_for
):
    client = client_for(role_users[role])
    page = client.get(URL).content.decode()
    checked = 0
    for key in ("overdue_now", "cases", "forwarded", "decided"):
        value, _period, link = tile(page, f"takedowns-{key}")
        assert link, key
        listed = client.get(link)
        assert listed.status_code == 200, (key, link)
        assert listed.context["cl"].result_count == number_in(value), (key, link)
        checked += 1
    assert tile(page, "takedowns-overdue_now")[0] == "3"
    # Each state of "cases by state" opens the cases in that state.
    for link, count in re.findall(r'<td class="number"><a href="([^"]+)">([\d,]+)</a></td>', page):
        assert client.get(unescape(link)).context["cl"].result_count == number_in(count), link
        checked += 1
    assert checked > 6
