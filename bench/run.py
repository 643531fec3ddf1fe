"""Benchmark the portal at the size of a partnership that is years old; exit 1 if a target is missed.

    python bench/run.py                 # fresh database bench_portal, 1,000,000 cases
    python bench/run.py --cases 100000  # smaller, quicker
    python bench/run.py --reuse         # keep an already built bench database

Needs PostgreSQL (``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/bench_portal).
The database is dropped and created again unless ``--reuse``. Nothing here runs in ``make test``;
``tests/jobs/test_bench_smoke.py`` runs every measurement once on a tiny dataset.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_portal"
WORK_DIR = ROOT / "var" / "bench"  # + the database name: parallel benches keep their own files


def _configure_environment(database_url: str) -> None:
    global WORK_DIR
    WORK_DIR = ROOT / "var" / "bench" / (urlsplit(database_url).path.lstrip("/") or "default")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["CELERY_BROKER_URL"] = ""  # eager: the bench measures the work, not a queue
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["MEDIA_ROOT"] = str(WORK_DIR / "media")
    # Pages are timed without serving their static files: an empty directory is enough.
    os.environ["STATIC_ROOT"] = str(WORK_DIR / "static")
    (WORK_DIR / "static").mkdir(parents=True, exist_ok=True)


def _recreate_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not (name.startswith("bench_") or name.startswith("test_")):
        raise SystemExit(f"Refusing to drop {name!r}: the bench database name starts with bench_.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- children: import and export, each in its own process -----------------------------------


def child_import(csv_path: str) -> dict:
    """Run the import job as a worker does: the job is committed before it runs, so its progress
    goes through the side connection; the rows it writes are deleted afterwards (not measured),
    so every run imports the same new rows."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.files import File

    from bench.measure import peak_rss_mb
    from portal.jobs.choices import FileFormat
    from portal.jobs.models import Job
    from portal.jobs.services import import_job_run
    from takedowns.models import CaseReferenceCounter
    from takedowns.resources import TakedownCaseResource as resource_class

    user = get_user_model().objects.get(username="bench-admin")
    baseline = peak_rss_mb()
    marks = _last_ids(IMPORT_WRITES)
    counters = dict(CaseReferenceCounter.objects.values_list("year", "last_number"))
    with open(csv_path, "rb") as handle:
        job = Job(
            kind="import",
            content_type=ContentType.objects.get_for_model(resource_class._meta.model),
            resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
            file_name="bench-cases.csv",
            file_format=FileFormat.CSV,
            created_by=user,
        )
        job.file.save("bench-cases.csv", File(handle), save=False)
        job.save()
    started = time.perf_counter()
    job = import_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    errors = list(job.errors.values_list("row", "column", "reason")[:5])
    result = {
        "seconds": seconds,
        "rows": job.rows_total,
        "new": job.rows_new,
        "state": job.state,
        "errors": errors,
        "message": job.message,
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline,
    }
    job.file.delete(save=False)
    job.delete()
    _delete_since(marks)
    for year, last_number in counters.items():  # the references of the deleted rows are free
        CaseReferenceCounter.objects.filter(year=year).update(last_number=last_number)
    CaseReferenceCounter.objects.exclude(year__in=counters).delete()
    return result


#: The tables an import of cases writes, children first (the order their rows are deleted in).
IMPORT_WRITES = (
    "takedowns.StatusEvent",
    "takedowns.HistoricalInfringingItem",
    "takedowns.InfringingItem",
    "takedowns.HistoricalTakedownCase",
    "takedowns.TakedownCase",
)


def _last_ids(labels) -> dict:
    from django.apps import apps
    from django.db.models import Max

    models = [apps.get_model(label) for label in labels]
    return {model: model._base_manager.aggregate(last=Max("pk"))["last"] or 0 for model in models}


def _delete_since(marks: dict) -> None:
    """Delete the rows numbered after ``marks`` (one statement per table, no cascade collector)."""
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, last in marks.items():
            opts = model._meta
            cursor.execute(
                f"DELETE FROM {quote(opts.db_table)} WHERE {quote(opts.pk.column)} > %s", [last]
            )


def child_read(path: str) -> dict:
    """Read a file with the portal's one reader (``portal.reading``) as the import job does: row
    by row, nothing kept; its rows per second and what the reading adds to the process's peak."""
    from bench.measure import peak_rss_mb
    from portal.reading import read_table

    file_format = "xlsx" if path.endswith(".xlsx") else "csv"
    baseline = peak_rss_mb()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        table = read_table(handle, file_format)
        rows = sum(1 for _row in table)
    seconds = time.perf_counter() - started
    return {
        "format": file_format,
        "rows": rows,
        "columns": len(table.header),
        "seconds": seconds,
        "peak_growth_mb": peak_rss_mb() - baseline,
    }


def child_export() -> dict:
    """Every case, every column, as the admin's export view streams it (kept in a file, counted
    once the clock has stopped)."""
    import tempfile

    from django.contrib import admin
    from django.urls import reverse

    from bench.measure import admin_client, peak_rss_mb
    from portal.importing import CSV
    from takedowns.models import TakedownCase

    model_admin = admin.site.get_model_admin(TakedownCase)
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if issubclass(f, CSV))
    resource_class = model_admin.get_export_resource_classes(None)[0]
    fields = {
        f"{resource_class.__name__.lower()}_{name}": "on"
        for name in resource_class().get_export_order()
    }
    cases = TakedownCase.objects.count()
    first_byte = None
    lines = 0  # a case is at least one line (its item URLs may add more)
    rss_at_tenth = None
    size = 0
    with tempfile.TemporaryFile() as kept:
        started = time.perf_counter()
        response = admin_client().post(
            reverse("admin:takedowns_takedowncase_export"), {"format": csv_index, **fields}
        )
        for chunk in response.streaming_content:
            if first_byte is None:
                first_byte = time.perf_counter() - started
            kept.write(chunk)
            lines += chunk.count(b"\n")
            size += len(chunk)
            if rss_at_tenth is None and lines >= cases // 10:
                rss_at_tenth = peak_rss_mb()
        seconds = time.perf_counter() - started
        peak = peak_rss_mb()
        kept.seek(0)
        rows = (
            sum(1 for _ in csv.reader(io.TextIOWrapper(kept, encoding="utf-8-sig", newline=""))) - 1
        )
    return {
        "first_byte": first_byte,
        "rows": rows,
        "cases": cases,
        "seconds": seconds,
        "bytes": size,
        "rss_at_tenth_mb": rss_at_tenth,
        "peak_mb": peak,
    }


# --- the parent -----------------------------------------------------------------------------


def write_import_file(path: Path, rows: int) -> list[str]:
    """100,000 new cases in the columns of the project's case Resource: real rows exported
    through the Resource, with the natural key left blank so that each row is a new case."""
    from bench.measure import admin_client
    from portal.jobs.exports import iter_csv
    from takedowns.models import TakedownCase
    from takedowns.resources import TakedownCaseResource as resource_class

    admin_client()  # the bench superuser runs the import
    resource = resource_class()
    key_columns = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
    queryset = TakedownCase.objects.filter(pk__gt=100).order_by("pk")[:rows]
    import_fields = resource.get_import_fields()
    names = [name for name, field in resource.fields.items() if field in import_fields]
    exported = path.with_suffix(".export.csv")
    with exported.open("wb") as handle:
        for chunk in iter_csv(resource, queryset, selected_fields=names, bom=False):
            handle.write(chunk)
    import_columns = {f.column_name for f in resource.get_import_fields()}
    with (
        exported.open(newline="", encoding="utf-8") as source,
        path.open("w", newline="", encoding="utf-8") as handle,
    ):
        rows_in = csv.reader(source)
        headers = next(rows_in)
        keep = [i for i, h in enumerate(headers) if h in import_columns]
        key_positions = [headers.index(c) for c in key_columns if c in headers]
        # a new copy of a case cannot report its items again (they are open in the original)
        blank_positions = key_positions + [i for i, h in enumerate(headers) if h == "item_urls"]
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([headers[i] for i in keep])
        for row in rows_in:
            for position in blank_positions:
                row[position] = ""  # a blank key: a new row (cases get their next reference)
            writer.writerow([row[i] for i in keep])  # escaped as exported: the import unescapes
    exported.unlink()
    return [headers[i] for i in keep]


def write_xlsx_copy(csv_path: Path) -> Path:
    """The import file as an XLSX in the portal's layout (written streaming)."""
    from openpyxl import Workbook

    from portal.xlsx import Header, write_sheet

    path = csv_path.with_suffix(".xlsx")
    with csv_path.open(newline="", encoding="utf-8") as source:
        rows = csv.reader(source)
        lines = ((Header(row) if number == 0 else row) for number, row in enumerate(rows))
        workbook = Workbook(write_only=True)
        write_sheet(workbook, "cases", lines)
        workbook.save(path)
    return path


def copy_file_into_plain_table(path: Path, headers: list[str]) -> float:
    from django.db import connection

    columns = ", ".join(f'"c{i}" text' for i in range(len(headers)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_copy")
        cursor.execute(f"CREATE TABLE bench_plain_copy ({columns})")
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.cursor.copy(
                "COPY bench_plain_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while data := handle.read(1 << 20):
                copy.write(data)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_plain_copy")
    return seconds


def settle_database() -> None:
    """VACUUM what the previous import run rolled back, then CHECKPOINT: each run measures its
    own import, not autovacuum and checkpoint catching up on the run before."""
    from django.db import connection

    from takedowns.models import StatusEvent, TakedownCase

    tables = [TakedownCase._meta.db_table, TakedownCase.history.model._meta.db_table]
    tables.append(StatusEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(tables)}")
        cursor.execute("CHECKPOINT")


def export_figures(results):
    from bench.measure import Figure

    rates = sorted(r["rows"] / r["seconds"] for r in results)
    first = sorted(r["first_byte"] for r in results)
    growth = max(r["peak_mb"] - (r["rss_at_tenth_mb"] or r["peak_mb"]) for r in results)
    rows = results[0]["rows"]
    complete = all(r["rows"] == r["cases"] for r in results)
    note = f"every column, admin export view, {len(results)} run(s)"
    if not complete:
        note += f"; INCOMPLETE: {[r['rows'] for r in results]} rows of {results[0]['cases']:,}"
    return [
        Figure(
            f"export {rows:,} cases as CSV: first byte",
            first[len(first) // 2],
            "s",
            "≤ 2 s",
            first[-1] <= 2,
            p95=first[-1] if len(first) > 1 else None,
            note=note,
        ),
        Figure(
            f"export {rows:,} cases as CSV: throughput",
            rates[len(rates) // 2],
            "rows/s",
            "≥ 30,000 rows/s",
            complete and rates[len(rates) // 2] >= 30_000,
            note=f"slowest {rates[0]:,.0f} rows/s, {results[0]['bytes'] / 1e6:,.0f} MB",
        ),
        Figure(
            f"export {rows:,} cases: peak memory growth after 10%",
            growth,
            "MB",
            "≤ 50 MB",
            growth <= 50,
            note=f"peak RSS {max(r['peak_mb'] for r in results):.0f} MB",
        ),
    ]


def read_figures(results):
    """Per format: the median rate of reading the import file, and the largest peak growth."""
    from bench.measure import Figure

    targets = {"csv": 50_000, "xlsx": 10_000}
    figures = []
    for file_format, target in targets.items():
        runs = [r for r in results if r["format"] == file_format]
        rates = sorted(r["rows"] / r["seconds"] for r in runs)
        rate, growth = rates[len(rates) // 2], max(r["peak_growth_mb"] for r in runs)
        figures.append(
            Figure(
                f"read {runs[0]['rows']:,}-row {file_format.upper()} (portal.reading)",
                rate,
                "rows/s",
                f"≥ {target:,} rows/s, peak growth ≤ 50 MB",
                rate >= target and growth <= 50,
                note=(
                    f"{runs[0]['columns']} columns, {len(runs)} run(s), slowest "
                    f"{rates[0]:,.0f} rows/s; peak growth {growth:.0f} MB"
                ),
            )
        )
    return figures


#: The largest file the admin's import page checks and writes itself (larger ones go to a job).
PAGE_IMPORT_ROWS = 2000


def import_page_figures(client, import_path: Path, runs: int) -> list:
    """A 2,000-row case file through the admin's import page as an officer sends it (new cases),
    and the 2,000-row seller file an officer sends back after editing the export (every row an
    update, as a DIP officer): each upload answered with its preview, then the confirmation
    answered with the list (each run rolled back, so every run imports the same rows)."""
    from bench.measure import officer_client, seller_import_csv

    with import_path.open(newline="", encoding="utf-8") as source:
        lines = [line for _, line in zip(range(PAGE_IMPORT_ROWS + 1), source, strict=False)]
    cases = "".join(lines).encode("utf-8")
    sellers = seller_import_csv(PAGE_IMPORT_ROWS)
    return _import_page_figures(client, "takedowns_takedowncase", "case file", cases, runs) + (
        _import_page_figures(officer_client(), "gi_catalog_seller", "seller edits", sellers, runs)
    )


def _import_page_figures(client, admin_name: str, label: str, content: bytes, runs: int):
    import statistics

    from django.contrib import admin
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.urls import reverse

    from bench.measure import Figure, form_fields, p95
    from portal.importing import CSV
    from takedowns.models import TakedownCase

    formats = admin.site.get_model_admin(TakedownCase).get_import_formats()
    csv_index = next(i for i, f in enumerate(formats) if issubclass(f, CSV))
    upload_url = reverse(f"admin:{admin_name}_import")
    confirm_url = reverse(f"admin:{admin_name}_process_import")
    previews, confirms = [], []
    for run in range(runs + 1):  # the first is the warm-up
        with transaction.atomic():
            started = time.perf_counter()
            response = client.post(
                upload_url,
                {"format": csv_index, "import_file": SimpleUploadedFile("file.csv", content)},
            )
            preview = (time.perf_counter() - started) * 1000
            confirm_data = form_fields(  # the preview's confirmation form
                response.content.decode(), lambda form: "process_import" in form.get("action", "")
            )
            if response.status_code != 200 or "import_file_name" not in confirm_data:
                raise RuntimeError(f"the import page did not offer to confirm ({response})")
            started = time.perf_counter()
            response = client.post(confirm_url, confirm_data)
            confirm = (time.perf_counter() - started) * 1000
            if response.status_code != 302:
                raise RuntimeError(f"the confirmation answered {response.status_code}")
            transaction.set_rollback(True)
        if run:
            previews.append(preview)
            confirms.append(confirm)
    rows = sum(1 for _row in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1
    return [
        Figure(
            f"import page, {rows:,}-row {label}: {step}",
            statistics.median(samples),
            "ms",
            "p95 ≤ 1000 ms",
            p95(samples) <= 1000,
            p95=p95(samples),
            note=f"{runs} run(s), {rows * 1000 / statistics.median(samples):,.0f} rows/s",
        )
        for step, samples in (("preview", previews), ("confirm", confirms))
    ]


def import_figure(results, copy_seconds, copy_rows):
    from bench.measure import Figure

    bad = [r for r in results if r["state"] != "succeeded"]
    rates = sorted(r["rows"] / r["seconds"] for r in results if r["rows"])
    rate = rates[len(rates) // 2] if rates else 0.0
    peak = max(r["peak_mb"] for r in results)
    rows = results[0]["rows"]
    copy_rate = copy_rows / copy_seconds
    note = (
        f"{len(results)} run(s), slowest {rates[0] if rates else 0:,.0f} rows/s; peak RSS "
        f"{peak:.0f} MB (process before reading the file {results[0]['baseline_mb']:.0f} MB); "
        f"plain COPY {copy_rate:,.0f} rows/s, {copy_rate / rate if rate else 0:,.0f}× faster"
    )
    if bad:
        note += f"; FAILED: {bad[0]['message']} {bad[0]['errors']}"
    return Figure(
        f"import {rows:,} cases (job path, validated)",
        rate,
        "rows/s",
        "≥ 10,000 rows/s, peak ≤ 300 MB",
        not bad and rate >= 10_000 and peak <= 300,
        note=note,
    )


def measure_all(args, sample: dict, log=print) -> list:
    from django.conf import settings

    import portal.wsgi  # noqa: F401  pages are timed in a process set up as the server's is
    from bench import measure

    client = measure.admin_client()
    figures = []
    figures += measure.case_list_figures(client, args.runs)
    figures += measure.search_figures(client, args.runs, sample)
    figures.append(measure.detail_figure(client, args.runs, sample))
    figures.append(measure.dashboard_figure(client, args.runs))
    figures.append(measure.dashboard_filtered_figure(client, args.runs))
    figures += measure.training_figures(client, args.runs)
    figures += measure.daily_page_figures(args.runs)
    for figure in figures:
        log(figure.line())

    env = measure.env_for_children()
    env["DATABASE_URL"] = settings.DATABASES["default"]["_bench_url"]
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    path = WORK_DIR / "cases-import.csv"
    headers = write_import_file(path, args.import_rows)
    copy_seconds = sorted(
        copy_file_into_plain_table(path, headers) for _ in range(args.import_runs)
    )
    copy_median = copy_seconds[len(copy_seconds) // 2]
    log(
        f"          (PostgreSQL COPY of the same {args.import_rows:,}-row file into a plain "
        f"table: {copy_median:.2f} s)"
    )
    xlsx_path = write_xlsx_copy(path)
    results = [
        measure.run_child(["--child-read", str(file)], env)
        for file in (path, xlsx_path)
        for _ in range(args.import_runs)
    ]
    for figure in read_figures(results):
        log(figure.line())
        figures.append(figure)

    results = []
    for _ in range(args.import_runs):
        settle_database()
        results.append(measure.run_child(["--child-import", str(path)], env))
    figure = import_figure(results, copy_median, args.import_rows)
    log(figure.line())
    figures.append(figure)
    for figure in import_page_figures(client, path, args.import_runs):
        log(figure.line())
        figures.append(figure)

    results = [measure.run_child(["--child-export"], env) for _ in range(args.export_runs)]
    for figure in export_figures(results):
        log(figure.line())
        figures.append(figure)
    return figures


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="requests per page figure")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=5)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--child-export", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-read", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _configure_environment(database_url)

    if args.child_import or args.child_export or args.child_read:
        import django

        django.setup()
        if args.child_read:
            result = child_read(args.child_read)
        else:
            result = child_import(args.child_import) if args.child_import else child_export()
        print(json.dumps(result, default=str))
        return 0

    started = time.perf_counter()
    if not args.reuse:
        _recreate_database(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench import dataset
    from bench.measure import exit_status, machine_speed

    settings.DATABASES["default"]["_bench_url"] = database_url
    print(f"MOU Portal bench — {urlsplit(database_url).path.lstrip('/')}, {os.cpu_count()} CPUs")
    from takedowns.models import TakedownCase

    if args.reuse and TakedownCase.objects.exists():
        print("Reusing the existing dataset.")
        sample = dataset.sample_of_existing()
    else:
        call_command("migrate", verbosity=0)
        print(f"Migrated in {time.perf_counter() - started:.1f} s. Building the dataset with COPY:")
        built = time.perf_counter()
        sample = dataset.build(dataset.Sizes.scaled(args.cases))
        print(f"Dataset built in {time.perf_counter() - built:.1f} s.")
    print("Load average before measuring: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(machine_speed())
    print()
    figures = measure_all(args, sample)
    print("Load average after measuring: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(machine_speed())
    print()
    return exit_status(figures, started)


if __name__ == "__main__":
    sys.exit(main())
