"""The measurements: admin pages through Django's test Client, import and export in a child process.

Every page figure is the median and p95 of ``runs`` requests after one warm-up request, timed
around ``Client.get`` (middleware, view, queries and template rendering: the server's time).
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

RESULT_TABLE = re.compile(rb'<table id="result_list">.*?<tbody>(.*?)</tbody>', re.S)


def rows_shown(body: bytes) -> int:
    """Rows in the admin change list's result table."""
    match = RESULT_TABLE.search(body)
    return match.group(1).count(b"<tr") if match else 0


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: str
    ok: bool | None  # None: could not be measured
    p95: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def line(self) -> str:
        if self.value is None:
            shown = "—"
        elif self.p95 is not None:
            shown = f"median {self.value:,.1f} {self.unit}, p95 {self.p95:,.1f} {self.unit}"
        else:
            shown = f"{self.value:,.1f} {self.unit}"
        verdict = {True: "PASS", False: "FAIL", None: "MISSING"}[self.ok]
        note = f"  ({self.note})" if self.note else ""
        return f"[{verdict:<7}] {self.name:<46} {shown:<42} target {self.target}{note}"


def exit_status(figures: list, started: float, *, counted=lambda figure: True) -> int:
    """Print how many figures meet their target and the run's time; 1 if one ``counted`` misses."""
    failed = [figure for figure in figures if counted(figure) and not figure.ok]
    print(
        f"{len(figures) - len(failed)} of {len(figures)} figures meet their target "
        f"({time.perf_counter() - started:.0f} s in all)."
    )
    return 1 if failed else 0


def machine_speed() -> str:
    """How fast this machine is at the moment, in two fixed pieces of work (the best of five runs
    of each): a pure-Python loop, and a query that keeps PostgreSQL's CPU busy. Figures from two
    runs of the bench compare only as far as these agree: a shared machine's speed varies from
    one day, or hour, to the next."""

    def best(work: Callable[[], object]) -> float:
        timings = []
        for _run in range(5):
            started = time.perf_counter()
            work()
            timings.append(time.perf_counter() - started)
        return min(timings) * 1000

    def python_work() -> int:
        return sum(n * n for n in range(1_000_000))

    def database_work() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM generate_series(1, 1000000)")
            cursor.fetchone()

    return (
        f"Machine speed (best of 5): Python reference loop {best(python_work):.0f} ms, "
        f"PostgreSQL reference query {best(database_work):.0f} ms."
    )


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def admin_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if not user.is_superuser:
        user.is_staff = user.is_superuser = True
        user.save()
    client = Client()
    client.force_login(user)
    return client


class QueryCounter:
    """Counts the SQL statements a block runs (``connection.execute_wrapper``)."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def __len__(self):
        return len(self.statements)


def count_queries(func) -> QueryCounter:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        func()
    return counter


def time_page(client: Client, url: str, runs: int) -> tuple[list[float], int, bytes]:
    """Milliseconds per request, the query count of one request, and the last body."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    queries = count_queries(lambda: client.get(url))
    samples = []
    body = b""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        body = response.content
        samples.append((time.perf_counter() - started) * 1000)
    return samples, len(queries), body


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def page_figure(
    client, name, url, runs, *, ms_target, max_queries=None, expect_rows=None
) -> Figure:
    if url is None:
        return Figure(name, None, "ms", f"p95 ≤ {ms_target} ms", None, note="page not found")
    samples, queries, body = time_page(client, url, runs)
    value, tail = statistics.median(samples), p95(samples)
    ok = tail <= ms_target
    target = f"p95 ≤ {ms_target} ms"
    notes = [f"{queries} queries"]
    if max_queries is not None:
        target += f", ≤ {max_queries} queries"
        ok = ok and queries <= max_queries
    rows = rows_shown(body)
    if expect_rows is not None:
        notes.append(f"{rows} rows shown")
        if rows < expect_rows:
            ok = False
            notes.append(f"expected ≥ {expect_rows}")
    return Figure(
        name, value, "ms", target, ok, p95=tail, note=", ".join(notes), extra={"queries": queries}
    )


def _order_index(model_admin, field_name: str) -> int | None:
    """The admin's ``o=`` index of the list column that sorts by ``field_name``."""
    for index, item in enumerate(model_admin.list_display, start=1):
        attr = getattr(model_admin, item, None) if isinstance(item, str) else item
        order = getattr(attr, "admin_order_field", None) or (
            item if isinstance(item, str) else None
        )
        if order in (field_name, f"-{field_name}"):
            return index
    return None


def case_list_figures(client, runs) -> list[Figure]:
    from django.contrib import admin

    from takedowns.models import TakedownCase

    url = _url("admin:takedowns_takedowncase_changelist")
    model_admin = admin.site._registry.get(TakedownCase)
    figures = []
    age = _order_index(model_admin, "created_at") if model_admin else None
    variants = [
        ("case list, unfiltered", ""),
        ("case list, filtered by state", "?state__exact=under_platform_review"),
        ("case list, sorted by age", f"?o={age}" if age else None),
    ]
    for name, query in variants:
        if query is None:
            figures.append(
                Figure(name, None, "ms", "p95 ≤ 300 ms", None, note="no column sorts by created_at")
            )
            continue
        figures.append(
            page_figure(
                client,
                name,
                url and url + query,
                runs,
                ms_target=300,
                max_queries=12,
                expect_rows=1,
            )
        )
    # The query count must not depend on the page size.
    if model_admin is not None and url:
        counts = {}
        saved = model_admin.list_per_page
        try:
            for size in (20, 100):
                model_admin.list_per_page = size
                counts[size] = len(count_queries(lambda: client.get(url)))
        finally:
            model_admin.list_per_page = saved
        same = counts[20] == counts[100]
        figures.append(
            Figure(
                "case list, queries at 20 vs 100 rows per page",
                float(counts[100]),
                "queries",
                "same count",
                same,
                note=f"{counts[20]} at 20 rows, {counts[100]} at 100 rows",
            )
        )
        figures.append(_full_count_check(client, url))
    return figures


def _full_count_check(client, url) -> Figure:
    queries = count_queries(lambda: client.get(url))
    counts = [
        sql
        for sql in queries.statements
        if re.search(r"SELECT COUNT\(\*\)", sql, re.I)
        and "takedowns_takedowncase" in sql
        and "LIMIT" not in sql.upper()
    ]
    return Figure(
        "case list, no full COUNT(*) per page",
        float(len(counts)),
        "counts",
        "0 unbounded COUNT(*)",
        not counts,
        note=counts[0][:120] if counts else "",
    )


def search_figures(client, runs, sample) -> list[Figure]:
    items = _url("admin:takedowns_infringingitem_changelist")
    cases = _url("admin:takedowns_takedowncase_changelist")
    # part of a link as a user pastes it: from the last "/" before the id, 12 digits of the id
    url = sample["sample_url"]
    digits = re.search(r"\d{19}", url)
    fragment = url[url.rfind("/", 0, digits.start()) : digits.start() + 12] if digits else url
    handle = sample["sample_handle"]
    handle_part = handle[1:7] if len(handle) > 7 else handle
    figures = []
    for name, base, q in [
        ("search items by URL fragment", items, fragment),
        ("search items by seller handle", items, handle),
        ("search cases by URL fragment", cases, fragment),
        ("search cases by seller handle", cases, handle),
        ("search cases by part of a handle", cases, handle_part),
    ]:
        if base is None:
            figures.append(Figure(name, None, "ms", "p95 ≤ 300 ms", None, note="no admin page"))
            continue
        figures.append(
            page_figure(
                client, name, f"{base}?{urlencode({'q': q})}", runs, ms_target=300, expect_rows=1
            )
        )
    return figures


def detail_figure(client, runs, sample) -> Figure:
    url = _url("admin:takedowns_takedowncase_change", sample["detail_case_id"])
    return page_figure(
        client, "case detail (20 items, 30 events)", url, runs, ms_target=200, max_queries=15
    )


def dashboard_figure(client, runs) -> Figure:
    return page_figure(client, "MOU dashboard", _url("admin:dashboard"), runs, ms_target=300)


def dashboard_filtered_urls(runs: int) -> list[str]:
    """Filtered views the cache has not seen: each run its own dates (a wide range of about five
    years, a half year, a workstream with an end date only), so every request computes."""
    import datetime as dt

    base = _url("admin:dashboard")
    urls = []
    for n in range(runs + 2):  # two more: the warm-up and the one whose queries are counted
        shift = dt.timedelta(days=n)
        start, end = dt.date(2021, 11, 2) + shift, dt.date(2026, 10, 31) - shift
        variant = n % 3
        if variant == 0:
            query = {"date_from": start, "date_to": end}
        elif variant == 1:
            query = {"date_from": dt.date(2026, 1, 1) + shift, "date_to": dt.date(2026, 6, 30)}
        else:
            query = {"date_to": end, "workstream": "ip_protection"}
        urls.append(f"{base}?{urlencode(query)}")
    return urls


def dashboard_filtered_figure(client, runs) -> Figure:
    """The dashboard filtered by dates or workstream, uncached (each request new filters)."""
    urls = dashboard_filtered_urls(runs)
    response = client.get(urls[0])  # warm-up: the takedown counts per day are fresh after it
    if response.status_code != 200:
        raise RuntimeError(f"GET {urls[0]} answered {response.status_code}")
    queries = len(count_queries(lambda: client.get(urls[1])))
    samples = []
    for url in urls[2:]:
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    value, tail = statistics.median(samples), p95(samples)
    return Figure(
        "MOU dashboard, filtered (uncached)",
        value,
        "ms",
        "p95 ≤ 1000 ms",
        tail <= 1000,
        p95=tail,
        note=f"{queries} queries; 5-year range, half year, workstream + end date",
        extra={"queries": queries},
    )


# --- import and export run in a child process, so their peak memory is their own -------------


def run_child(args: list[str], env: dict) -> dict:
    command = [sys.executable, str(Path(__file__).with_name("run.py")), *args]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM): its own, not inherited from its parent.

    (``getrusage``'s ru_maxrss starts a child at its parent's size after fork/exec.)
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summarise(name, samples, unit, target, check: Callable[[float], bool], note="") -> Figure:
    value = statistics.median(samples)
    return Figure(
        name,
        value,
        unit,
        target,
        check(value),
        p95=None if len(samples) < 2 else p95(samples),
        note=note,
    )


def env_for_children() -> dict:
    return dict(os.environ)


# --- training: a full session's page, its save and its certificates ----------------------------


def form_errors(response) -> list[str]:
    """The errors a refused admin form shows, read from its page (the bench's responses carry
    no template context)."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", item).strip()
        for item in re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', response.text, re.S)
    ]


def post_figure(
    client,
    name,
    url,
    data_of_run: Callable[[int], dict],
    runs,
    *,
    ms_target,
    expect: Callable | None = None,
):
    """Like ``page_figure`` for a form sent ``runs`` times (each run its own data, so each
    writes; the data is made before the clock starts); every answer must be the redirect of a
    saved form, or pass ``expect(response)`` (which raises if it is not the expected page)."""

    def send(data):
        response = client.post(url, data)
        if expect is not None:
            expect(response)
        elif response.status_code != 302:
            raise RuntimeError(
                f"POST {url} answered {response.status_code}, not a redirect: "
                f"{form_errors(response)}"
            )

    send(data_of_run(0))  # warm-up
    data = data_of_run(1)
    queries = len(count_queries(lambda: send(data)))
    timings = []
    for run in range(2, runs + 2):
        data = data_of_run(run)
        started = time.perf_counter()
        send(data)
        timings.append((time.perf_counter() - started) * 1000)
    value, tail = statistics.median(timings), p95(timings)
    return Figure(
        name,
        value,
        "ms",
        f"p95 ≤ {ms_target} ms",
        tail <= ms_target,
        p95=tail,
        note=f"{queries} queries",
        extra={"queries": queries},
    )


def _session_form_data(session, attendances, score: int) -> dict:
    """The session's change form as the browser sends it, every attendance row with ``score``
    (where attended): a save that writes every row."""
    from django.utils import timezone

    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    data = {
        "course": session.course_id,
        "reference": session.reference,
        "starts_at_0": starts.date().isoformat(),
        "starts_at_1": starts.strftime("%H:%M"),
        "ends_at_0": ends.date().isoformat(),
        "ends_at_1": ends.strftime("%H:%M"),
        "mode": session.mode,
        "venue": session.venue or "ห้องประชุม 1",
        "province": session.province_id or "",
        "online_url": session.online_url or "https://meet.example.org/session",
        "trainer": session.trainer,
        "capacity": session.capacity,
        "notes": session.notes,
        "attendances-TOTAL_FORMS": len(attendances),
        "attendances-INITIAL_FORMS": len(attendances),
        "attendances-MIN_NUM_FORMS": 0,
        "attendances-MAX_NUM_FORMS": 1000,
    }
    for i, attendance in enumerate(attendances):
        prefix = f"attendances-{i}-"
        data[prefix + "id"] = attendance.pk
        data[prefix + "session"] = session.pk
        data[prefix + "participant"] = attendance.participant_id
        if attendance.attended:
            data[prefix + "attended"] = "on"
            data[prefix + "score"] = score
        if attendance.completed:
            data[prefix + "completed"] = "on"
    return data


def training_figures(client, runs) -> list[Figure]:
    from django.db.models import Count

    from training.models import Attendance, TrainingSession

    session = (
        TrainingSession.objects.annotate(n=Count("attendances"))
        .order_by("-n", "pk")
        .select_related("course")
        .first()
    )
    if session is None:
        return [
            Figure("training session page", None, "ms", "p95 ≤ 300 ms", None, note="no session")
        ]
    attendances = list(session.attendances.order_by("pk"))
    change = _url("admin:training_trainingsession_change", session.pk)
    figures = [
        page_figure(
            client,
            f"training session page ({len(attendances)} attendances)",
            change,
            runs,
            ms_target=300,
            max_queries=15,
        ),
        post_figure(
            client,
            f"attendance save ({len(attendances)} rows)",
            change,
            lambda run: _session_form_data(session, attendances, 90 + run % 2),
            runs,
            ms_target=300,
        ),
    ]
    completed = Attendance.objects.filter(completed=True).order_by("pk").first()
    if completed is not None:
        figures.append(
            page_figure(
                client,
                "certificate, printable page",
                _url("admin:training_attendance_certificate", completed.pk),
                runs,
                ms_target=300,
            )
        )
        figures.append(
            page_figure(
                client,
                "certificate, PDF",
                _url("admin:training_attendance_certificate_pdf", completed.pk),
                runs,
                ms_target=300,
            )
        )
    return figures


# --- pages in daily use: cases, sweeps, sellers, consultations (issue 25) ----------------------

#: A 1×1 PNG: the evidence file of a new case.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
SELLER_IMPORT_ROWS = 200


def officer_client() -> Client:
    """A client logged in as a DIP officer (the role group, not a superuser): the pages below
    are timed as the people who use them every day see them."""
    from django.contrib.auth.models import Group

    from portal.roles import OFFICER

    user, _ = get_user_model().objects.get_or_create(
        username="bench-officer-role", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=OFFICER))
    client = Client()
    client.force_login(user)
    return client


def _main_admin_form(attrs: dict) -> bool:
    return (attrs.get("id") or "").endswith("_form")


class _FormReader(HTMLParser):
    """The fields of a page's form (the admin's main form, ``<form id="…_form">``, unless
    ``is_form`` picks another by its attributes) as a browser sends them: text, hidden and
    chosen values, ticked boxes, selected options; no file, no button, and not the inlines'
    blank template rows (``__prefix__``)."""

    def __init__(self, is_form: Callable[[dict], bool] = _main_admin_form):
        super().__init__(convert_charrefs=True)
        self.is_form = is_form
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: str | None = None
        self.multiple, self.first_option, self.chosen = False, None, False
        self.textarea: str | None = None
        self.text: list[str] = []

    def add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.is_form(attrs)
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value") or "on")
                return
            self.add(name, attrs.get("value") or "")
        elif tag == "select":
            self.select, self.multiple, self.first_option, self.chosen = (
                name,
                "multiple" in attrs,
                None,
                False,
            )
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attrs.get("value") or ""
            if "selected" in attrs:
                self.add(self.select, attrs.get("value") or "")
                self.chosen = True
        elif tag == "textarea":
            self.textarea, self.text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            if not self.chosen and not self.multiple and self.first_option is not None:
                self.add(self.select, self.first_option)  # a browser sends the first option
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)


def form_fields(html: str, is_form: Callable[[dict], bool] = _main_admin_form) -> dict:
    """The fields a browser sends back from the page's form (see ``_FormReader``)."""
    reader = _FormReader(is_form)
    reader.feed(html)
    return {
        name: values if len(values) > 1 else (values[0] if values else None)
        for name, values in reader.data.items()
    }


def _form_data(client, url, **overrides) -> dict:
    """The admin form at ``url`` as a browser sends it back, then ``overrides`` (None: the
    field is not sent)."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    data = form_fields(response.content.decode())
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _new_case_data(client, add_url, right, token: str, *, to_review: bool) -> dict:
    """A new case as an officer types it: 3 items, 1 screenshot, and "move to review" in the
    same save when ``to_review``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from takedowns.choices import CaseState, ReporterBasis

    fields = {
        "title": "ทุเรียนหมอนทองปลอม",
        "summary_en": "Counterfeit Monthong durian sold under the holder's mark.",
        "rights_holder": right.owner_id,
        "right": right.pk,
        "infringement_type": "counterfeit",
        "priority": "high",
        "reporter_name": "สมชาย ใจดี",
        "reporter_email": "somchai@ipthailand.go.th",
        "reporter_basis": ReporterBasis.OWNER,
        "items-TOTAL_FORMS": "3",
        "evidence-TOTAL_FORMS": "1",
        "evidence-0-kind": "screenshot",
        "evidence-0-description": "หน้าร้าน",
        "evidence-0-file": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
    }
    for i in range(3):
        fields[f"items-{i}-kind"] = "listing"
        fields[f"items-{i}-url"] = f"https://shop.tiktok.com/view/product/9{token}{i}"
        fields[f"items-{i}-seller_handle"] = f"@bench_{token}"
    if to_review:
        fields["transition"] = CaseState.DIP_REVIEW
    return _form_data(client, add_url, **fields)


def seller_import_csv(rows: int) -> bytes:
    """``rows`` sellers as the seller export writes them, each with a new phone number: the
    file a user sends back after editing it (the preview shows every row as an update)."""
    import csv
    import io

    from gi_catalog.models import Seller
    from gi_catalog.resources import SellerResource
    from portal.jobs.exports import iter_csv

    resource = SellerResource()
    queryset = Seller.objects.order_by("pk")[:rows]
    exported = b"".join(iter_csv(resource, queryset, bom=False)).decode()
    table = list(csv.reader(io.StringIO(exported)))
    phone = table[0].index("phone")
    for number, row in enumerate(table[1:]):
        row[phone] = f"08{number:08d}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return out.getvalue().encode()


def _import_preview_shown(response) -> None:
    """The import page answered with its confirm form and a preview row per row of the file, all
    of them updates (no error)."""
    body = response.content.decode() if response.status_code == 200 else ""
    confirm = _url("admin:gi_catalog_seller_process_import")
    updates = body.count('<tr class="update">')
    if confirm not in body or "import-errors" in body or "import-row-errors" in body or updates < 2:
        raise RuntimeError(
            f"seller import answered {response.status_code} without a clean preview "
            f"({updates} updated rows shown): {body[body.find('errornote') :][:500]}"
        )


def daily_page_figures(runs) -> list[Figure]:
    """The pages officers use every day, as an officer: a new case with its items, evidence and
    "move to review" in one save; a case's change save; sweeps; a GI seller; the seller import's
    preview; a new consultation."""
    import time as clock

    from django.core.files.uploadedfile import SimpleUploadedFile

    from gi_catalog.models import Seller
    from takedowns.models import ProtectedRight, TakedownCase

    client = officer_client()
    figures = []
    right = ProtectedRight.objects.select_related("owner").order_by("pk").first()
    seller = Seller.objects.order_by("pk").first()
    if right is None or seller is None:
        return [Figure("case add", None, "ms", "p95 ≤ 300 ms", None, note="no right or seller")]
    token = f"{int(clock.time()) % 10**9:09d}"  # new item URLs on every bench run

    case_add = _url("admin:takedowns_takedowncase_add")
    figures.append(page_figure(client, "case add page", case_add, runs, ms_target=300))
    figures.append(
        post_figure(
            client,
            "case add: 3 items + evidence, to review, 1 save",
            case_add,
            lambda run: _new_case_data(
                client, case_add, right, f"{token}{run:03d}", to_review=True
            ),
            runs,
            ms_target=300,
        )
    )
    draft_token = f"{token}999"
    response = client.post(
        case_add, _new_case_data(client, case_add, right, draft_token, to_review=False)
    )
    if response.status_code != 302:
        raise RuntimeError(f"new draft case: {form_errors(response)}")
    draft = TakedownCase.objects.filter(items__seller_handle=f"bench_{draft_token}").first()
    case_change = _url("admin:takedowns_takedowncase_change", draft.pk)
    figures.append(
        post_figure(
            client,
            "case change: edit + save (3 items, 1 evidence)",
            case_change,
            lambda run: _form_data(
                client, case_change, summary_en=f"Counterfeit listings, checked {run}"
            ),
            runs,
            ms_target=300,
        )
    )

    sweep_add = _url("admin:takedowns_monitoringsweep_add")
    figures.append(page_figure(client, "sweep add page", sweep_add, runs, ms_target=300))
    response = client.post(
        sweep_add,
        _form_data(
            client,
            sweep_add,
            keywords="ทุเรียนหมอนทอง\nมังคุด",
            minutes_spent="30",
            searched_product_search="on",
            gi_products=None,  # none chosen: the select sends nothing
        ),
    )
    if response.status_code != 302:
        raise RuntimeError(f"new sweep: {form_errors(response)}")
    from takedowns.models import MonitoringSweep

    sweep = MonitoringSweep.objects.order_by("-pk").first()
    sweep_change = _url("admin:takedowns_monitoringsweep_change", sweep.pk)
    figures.append(page_figure(client, "sweep change page", sweep_change, runs, ms_target=300))
    figures.append(
        post_figure(
            client,
            "sweep change: edit + save",
            sweep_change,
            lambda run: _form_data(client, sweep_change, note=f"checked {run}", gi_products=None),
            runs,
            ms_target=300,
        )
    )

    seller_change = _url("admin:gi_catalog_seller_change", seller.pk)
    figures.append(page_figure(client, "seller change page", seller_change, runs, ms_target=300))
    figures.append(
        post_figure(
            client,
            "seller change: edit + save",
            seller_change,
            lambda run: _form_data(client, seller_change, phone=f"09{run:08d}"),
            runs,
            ms_target=300,
        )
    )
    content = seller_import_csv(SELLER_IMPORT_ROWS)
    rows = content.count(b"\r\n") - 1
    figures.append(
        post_figure(
            client,
            f"seller import preview ({rows} rows, CSV)",
            _url("admin:gi_catalog_seller_import"),
            lambda run: {
                "import_file": SimpleUploadedFile("sellers.csv", content, content_type="text/csv"),
                "format": "0",  # CSV: the first of portal.importing.FORMATS
            },
            runs,
            ms_target=300,
            expect=_import_preview_shown,
        )
    )
    figures.append(
        page_figure(
            client,
            "consultation add page",
            _url("admin:training_consultation_add"),
            runs,
            ms_target=300,
        )
    )
    return figures
