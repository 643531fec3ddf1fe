"""Platform API and bulk-decision figures (issue #10), on the bench dataset.

    python bench/api.py                  # database bench_api: built with 1,000,000 cases if empty
    python bench/api.py --cases 100000   # a smaller dataset
    python bench/api.py --reuse          # measure whatever dataset the database already holds

``BENCH_DATABASE_URL`` chooses the database (default postgres://postgres@127.0.0.1:5432/bench_api);
it is dropped and built again with ``bench.dataset`` (COPY) unless ``--reuse`` and it has cases.
The bench runner can add these figures with ``bench.api.api_figures(runs)`` after its own.
Exit status 1 when a target is missed.

Targets: the API case list and event feed answer with p95 ≤ 100 ms and a query count that does not
depend on the page size; a 10,000-row decision sheet is applied at ≥ 3,000 rows/s (validated whole,
every row through the state machine, in one transaction — rolled back after measuring).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_api"
PAGE_TARGET_MS = 100
BULK_TARGET = 3_000  # rows/s (issue 23)


def _liaison_client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from portal.api.models import ApiToken
    from portal.roles import LIAISON

    user, _ = get_user_model().objects.get_or_create(
        username="bench-liaison", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=LIAISON))
    _, token = ApiToken.objects.create(user=user, name="bench")
    return user, Client(headers={"Authorization": f"Token {token}"})


def _no_rate_limit():
    from django.conf import settings
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute"},
    }
    api_settings.reload()


def _page(client, name, url, runs, *, target_ms=PAGE_TARGET_MS):
    from bench.measure import page_figure

    figure = page_figure(client, name, url, runs, ms_target=target_ms)
    body = client.get(url).json()
    shown = len(body.get("results", []))
    figure.note += f", {shown} rows"
    if shown == 0:
        figure.ok = False
        figure.note += " (expected some)"
    return figure


def _same_queries(client, name, url, small, large):
    from bench.measure import Figure, count_queries

    counts = {}
    sep = "&" if "?" in url else "?"
    for limit in (small, large):
        counts[limit] = len(count_queries(lambda lim=limit: client.get(f"{url}{sep}limit={lim}")))
    ok = counts[small] == counts[large]
    return Figure(
        name,
        float(counts[large]),
        "queries",
        "same for every page size",
        ok,
        note=f"limit {small}: {counts[small]}, limit {large}: {counts[large]}",
    )


PROPOSED_INDEX = "td_case_updated_bench"


def has_updated_at_index() -> bool:
    """Whether takedowns has an index that starts with updated_at (the case list's order)."""
    from django.db import connection

    from takedowns.models import TakedownCase

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TakedownCase._meta.db_table)
    return any(info["index"] and info["columns"][:1] == ["updated_at"] for info in found.values())


def _case_list_figures(client, runs, user, label="") -> list:
    from portal.api.pagination import encode_cursor
    from takedowns.selectors import cases_visible_to

    visible = cases_visible_to(user=user).order_by("updated_at", "id")
    figures = [_page(client, f"API case list, first page (50){label}", "/api/v1/cases/", runs)]
    total = visible.count()
    if total:
        middle = visible.values("updated_at", "id")[total // 2]
        cursor = encode_cursor(middle["updated_at"], middle["id"])
        figures.append(
            _page(
                client,
                f"API case list, page at case {total // 2:,}{label}",
                "/api/v1/cases/?" + urlencode({"cursor": cursor}),
                runs,
            )
        )
        since = visible.values_list("updated_at", flat=True)[max(0, total - 500)]
        figures.append(
            _page(
                client,
                f"API case list, updated since (last 500){label}",
                "/api/v1/cases/?" + urlencode({"updated_since": since.isoformat()}),
                runs,
            )
        )
    figures.append(
        _page(
            client,
            f"API case list, state=under_platform_review{label}",
            "/api/v1/cases/?state=under_platform_review",
            runs,
        )
    )
    return figures


def api_figures(runs: int = 20, *, bulk_rows: int = 10_000, log=print) -> list:
    """Every API and bulk-decision figure on the current database's dataset."""
    from django.db import connection
    from django.db.models import Max

    from takedowns.models import StatusEvent, TakedownCase
    from takedowns.selectors import cases_visible_to

    _no_rate_limit()
    user, client = _liaison_client()
    figures = []

    def report(new):
        for figure in new:
            log(figure.line())
        figures.extend(new)

    indexed = has_updated_at_index()
    listed = _case_list_figures(client, runs, user)
    if not indexed:
        for figure in listed:
            figure.note += "; takedowns has no index on updated_at yet"
    report(listed)
    report(
        [
            _same_queries(
                client, "API case list: queries, 10 vs 200 a page", "/api/v1/cases/", 10, 200
            )
        ]
    )
    if not indexed:
        # What the index proposed to takedowns would give: built here, measured, dropped again.
        table = TakedownCase._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {PROPOSED_INDEX} ON {table} (updated_at, id)")
            cursor.execute(f"ANALYZE {table}")
        try:
            proposed = _case_list_figures(client, runs, user, label=" [proposed index]")
            for figure in proposed:
                figure.note += "; index (updated_at, id) built for this figure only"
            report(proposed)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {PROPOSED_INDEX}")
    detail = cases_visible_to(user=user).order_by("id").first()
    if detail:
        report([_page_detail(client, f"/api/v1/cases/{detail.reference}/", runs)])
    last = StatusEvent.objects.aggregate(last=Max("id"))["last"] or 0
    report(
        [
            _page(client, "API event feed from the start (100)", "/api/v1/events/", runs),
            _page(
                client,
                "API event feed from the middle (100)",
                f"/api/v1/events/?after={last // 2}",
                runs,
            ),
            _same_queries(
                client, "API event feed: queries, 10 vs 500 a page", "/api/v1/events/", 10, 500
            ),
        ]
    )
    report([bulk_figure(user, rows=bulk_rows)])
    return figures


def _page_detail(client, url, runs):
    from bench.measure import page_figure

    return page_figure(client, "API case detail", url, runs, ms_target=PAGE_TARGET_MS)


def bulk_figure(user, *, rows: int = 10_000, runs: int = 3):
    """Apply a ``rows``-row decision sheet (CSV) as the liaison, then roll it back: a first run
    (its figure reported beside, not counted: the process's and the database's first pass), then
    the median of ``runs``; the tables vacuumed before each (what the run before rolled back
    would otherwise slow the next). No CHECKPOINT in between: right after one, every page a run
    touches is written whole to the WAL, which a sheet meets once per checkpoint at most."""
    import statistics

    from django.db import connection, transaction

    from bench.measure import Figure
    from portal.api.bulk import COLUMNS, decision_upload_process
    from takedowns.choices import CaseState
    from takedowns.models import InfringingItem, TakedownCase
    from takedowns.selectors import cases_visible_to

    references = list(
        cases_visible_to(user=user)
        .filter(state=CaseState.UNDER_PLATFORM_REVIEW)
        .order_by("id")
        .values_list("reference", flat=True)[:rows]
    )
    name = f"bulk decisions, {rows:,}-row CSV"
    if len(references) < rows:
        return Figure(
            name,
            None,
            "rows/s",
            f"≥ {BULK_TARGET:,} rows/s",
            None,
            note=f"only {len(references)} cases under platform review",
        )
    lines = [",".join(COLUMNS)]
    for n, reference in enumerate(references):
        decision = "removed" if n % 4 else "already_unavailable"
        lines.append(f"{reference},,IPPC-B{n:06d},{decision},,,")
    data = ("\r\n".join(lines) + "\r\n").encode()
    tables = ", ".join(model._meta.db_table for model in (TakedownCase, InfringingItem))
    rates, record = [], None
    for _run in range(runs + 1):
        if not connection.in_atomic_block:  # (the smoke test runs inside its test's transaction)
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {tables}")
        with transaction.atomic():
            started = time.perf_counter()
            record = decision_upload_process(data=data, file_name="bench.csv", user=user)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        rates.append(rows / seconds)
        if record.status != "applied" or record.changed_count != rows:
            break
    rate = statistics.median(rates[1:] or rates)
    ok = record.status == "applied" and record.changed_count == rows and rate >= BULK_TARGET
    note = (
        f"median of {len(rates) - 1} run(s) after a first at {rates[0]:,.0f} rows/s; "
        f"{record.changed_count:,} applied, {record.error_count} errors"
    )
    if record.error_count:
        first = next(r for r in record.results if r["errors"])
        note += f"; first error row {first['row']}: {first['errors'][0]}"
    return Figure(name, rate, "rows/s", f"≥ {BULK_TARGET:,} rows/s", ok, note=note)


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="requests per page figure")
    parser.add_argument("--bulk-rows", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    args = parser.parse_args(argv)

    from bench import run as runner

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    runner._configure_environment(database_url)
    if not args.reuse:
        runner._recreate_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import dataset
    from bench.measure import exit_status, machine_speed
    from takedowns.models import TakedownCase

    started = time.perf_counter()
    print(
        f"MOU Portal API bench — {urlsplit(database_url).path.lstrip('/')}, {os.cpu_count()} CPUs"
    )
    call_command("migrate", verbosity=0)
    if not TakedownCase.objects.exists():
        print(f"Building {args.cases:,} cases with COPY:")
        dataset.build(dataset.Sizes.scaled(args.cases))
    else:
        print(f"Reusing {TakedownCase.objects.count():,} cases.")
    print(machine_speed())
    figures = api_figures(args.runs, bulk_rows=args.bulk_rows)
    print()
    return exit_status(figures, started, counted=lambda f: "[proposed index]" not in f.name)


if __name__ == "__main__":
    sys.exit(main())
