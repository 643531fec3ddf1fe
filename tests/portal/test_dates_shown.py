"""Issue 23, item 5 "BE dates and Bangkok time without patching Django at start-up": one way out
for every date (``portal.dates.format_date``), used by templates, admin columns and read-only
fields, exports and PDFs. Every admin page a Thai user opens shows its dates with Buddhist-era
(BE) years and none with a Christian-era one; an English user's pages the reverse."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, translation

from portal.models import Agreement, Target, Workstream
from takedowns import sweeps
from takedowns.choices import CaseState as S
from tests.portal.test_thai_pages import _pages
from tests.takedowns.conftest import holder, make_case, right, walk  # noqa: F401
from tests.takedowns.test_sweeps_admin import make_sweep
from tests.training.conftest import make_participant, make_session
from training.choices import PlatformTool
from training.models import Consultation, Course

pytestmark = pytest.mark.django_db

THAI_MONTHS = (
    r"(?:ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\.)"
)
ENGLISH_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-\d\d-\d\d(?![\d-])")
#: The login records of django-axes name themselves with their time, as the library writes it
#: ("Access Log for root @ 2026-12-06 07:42:42"): a row's name, not a date the portal shows.
LIBRARY_ROW_NAMES = re.compile(r"Access Log for|Attempted Access|Failed access")


def visible_text(html: str) -> str:
    """What a person reads on the page: no scripts, styles, tags or attribute values."""
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def shown_years(text: str, months: str) -> list[tuple[int, str]]:
    """The years of the dates written out on the page ("2 ธ.ค. 2569", "Dec 2026") and of ISO
    dates left in its text ("2026-12-02"), each with the text around it."""
    found = []
    for pattern in (re.compile(months + r"\s+(\d{4})\b"), ISO_DATE):
        for match in pattern.finditer(text):
            around = text[max(match.start() - 40, 0) : match.end() + 10]
            if not LIBRARY_ROW_NAMES.search(around):
                found.append((int(match[1]), around))
    return found


@pytest.fixture
def dated_rows(role_users, right):  # noqa: F811
    """Rows with dates and moments on every app's pages (lists, change pages, inlines)."""
    officer = role_users["officer"]
    walk(make_case(right, items=2), S.FORWARDED, role_users)
    finding_case = sweeps.finding_create_case(
        finding=make_sweep(
            officer, swept_on=date(2026, 12, 2), findings=[("https://shop.example/x/1", right)]
        ).findings.get(),
        actor=officer,
    )
    course = Course.objects.create(
        code="LIVE-101", title_th="LIVE", title_en="LIVE", tool=PlatformTool.LIVE_TOOLS
    )
    session = make_session(course)
    adviser = make_participant(1)
    session.attendances.create(participant=adviser)
    Consultation.objects.create(
        consulted_on=date(2026, 11, 3),
        adviser=adviser,
        entrepreneur_name="ร้านผ้าไหม",
        topic="trademark",
        channel="walk_in",
        summary="จดเครื่องหมายการค้า",
    )
    agreement = Agreement.objects.create(
        title="MOU",
        parties="DIP, TikTok",
        signed_on=date(2026, 6, 1),
        valid_until=date(2029, 5, 31),
    )
    workstream = Workstream.objects.create(agreement=agreement, code="gi_promotion")
    Target.objects.create(
        workstream=workstream,
        name="Sellers",
        metric="sellers_onboarded",
        target_value=100,
        unit="sellers",
        period_start=date(2026, 1, 1),
        due_date=date(2026, 12, 31),
    )
    return finding_case


def _crawl(client, user, months):
    years, pages = {}, 0
    for url in _pages(user):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        pages += 1
        found = shown_years(visible_text(response.content.decode()), months)
        if found:
            years[url] = found
    return years, pages


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


@pytest.mark.parametrize("role", ["superuser", "manager"])
def test_be_dates_on_every_page_a_thai_user_opens(
    role, dated_rows, role_users, client_for, request
):
    """The superuser opens every admin (the libraries' too); the manager reads every row through
    read-only fields."""
    user = request.getfixturevalue("superuser") if role == "superuser" else role_users[role]
    years, pages = _crawl(client_for(user), user, THAI_MONTHS)
    christian = {url: [s for y, s in found if y < 2400] for url, found in years.items()}
    assert not any(christian.values()), {url: s for url, s in christian.items() if s}
    assert pages > 20 and sum(len(found) for found in years.values()) > 20
    assert any(y == 2569 for found in years.values() for y, _s in found)


def test_ce_dates_on_every_page_an_english_user_opens(dated_rows, superuser, client_for):
    client = client_for(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    years, pages = _crawl(client, superuser, ENGLISH_MONTHS)
    buddhist = {url: [s for y, s in found if y >= 2400] for url, found in years.items()}
    assert not any(buddhist.values()), {url: s for url, s in buddhist.items() if s}
    assert pages > 20 and any(y == 2026 for found in years.values() for y, _s in found)


def test_the_case_page_shows_its_sweep_day_in_be(dated_rows, supervisor, client_for):
    """The sweep column of a case found by a sweep (it kept "2 ธ.ค. 2026" when a module had
    imported Django's ``date_format`` by name before start-up replaced it)."""
    page = client_for(supervisor).get(
        reverse("admin:takedowns_takedowncase_change", args=[dated_rows.pk])
    )
    text = visible_text(page.content.decode())
    assert "2 ธ.ค. 2569" in text and "2 ธ.ค. 2026" not in text


def test_no_patch_of_django_at_start_up():
    """Django's own date formatting is left as it is: a date through it keeps its CE year."""
    from django.utils.formats import date_format

    assert date_format is formats.date_format
    assert date_format.__module__ == "django.utils.formats"
    with translation.override("th"):
        assert formats.date_format(date(2026, 12, 2)) == "2 ธ.ค. 2026"


def test_the_certificate_writes_its_thai_date_in_be():
    from training.certificates import english_date, thai_date

    assert thai_date(date(2026, 11, 25)) == "25 พฤศจิกายน พ.ศ. 2569"
    assert english_date(date(2026, 11, 25)) == "25 November 2026"


def _export(client, file_format: str) -> bytes:
    from portal.resources import TargetResource

    data = {"format": {"csv": "0", "xlsx": "1"}[file_format], "resource": "0"}
    data.update({f"targetresource_{name}": "on" for name in TargetResource().get_export_order()})
    response = client.post(reverse("admin:portal_target_export"), data)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_exports_keep_real_dates_in_xlsx_and_iso_text_in_csv(dated_rows, manager, client_for):
    """A Thai user's export: XLSX date cells are dates (the spreadsheet shows them in its own
    calendar), CSV cells ISO text; both import back to the same day."""
    import io

    import openpyxl

    client = client_for(manager)
    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, "xlsx"))).active
    from portal.resources import TargetResource

    rows = list(sheet.iter_rows(values_only=True))
    due = TargetResource().column_names_of(rows[0]).index("due_date")  # the header is in Thai
    assert rows[1][due].date() == date(2026, 12, 31)
    text = _export(client, "csv").decode("utf-8-sig")
    assert "2026-12-31" in text and "2569" not in text


@pytest.mark.parametrize("path", ["admin/includes/fieldset.html", "admin/edit_inline/tabular.html"])
def test_the_admins_read_only_templates_are_djangos_but_for_their_dates(path):
    """The portal's copies of two admin templates change one thing, how a read-only value is
    written (``readonly_contents``); a Django upgrade that changes them fails here."""
    from pathlib import Path

    import django.contrib.admin

    djangos = (Path(django.contrib.admin.__file__).parent / "templates" / path).read_text()
    ours = (settings.BASE_DIR / "portal" / "templates" / path).read_text()
    assert djangos.count("{{ field.contents }}") == 1
    assert ours == djangos.replace("{{ field.contents }}", "{{ field|readonly_contents }}")
