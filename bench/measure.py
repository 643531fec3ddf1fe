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


def post_figure(client, name, url, data_of_run: Callable[[int], dict], runs, *, ms_target):
    """Like ``page_figure`` for a form sent ``runs`` times (each run its own data, so each
    writes); every answer must be the redirect of a saved form."""

    def send(data):
        response = client.post(url, data)
        if response.status_code != 302:
            raise RuntimeError(f"POST {url} answered {response.status_code}, not a redirect")

    send(data_of_run(0))  # warm-up
    queries = len(count_queries(lambda: send(data_of_run(1))))
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
