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


def find_case_resource():
    """The project's Resource for TakedownCase (takedowns/resources.py), or None."""
    try:
        from takedowns import resources
    except ImportError:
        return None
    from takedowns.models import TakedownCase

    found = [
        value
        for value in vars(resources).values()
        if isinstance(value, type)
        and getattr(getattr(value, "_meta", None), "model", None) is TakedownCase
    ]
    found.sort(key=lambda cls: cls.__name__ != "TakedownCaseResource")
    return found[0] if found else None


# --- children: import and export, each in its own process -----------------------------------


def child_import(csv_path: str, resource_path: str | None = None) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.db import transaction
    from django.utils.module_loading import import_string

    from bench.measure import peak_rss_mb
    from portal.jobs.choices import FileFormat
    from portal.jobs.models import Job
    from portal.jobs.services import import_job_run

    resource_class = import_string(resource_path) if resource_path else find_case_resource()
    user = get_user_model().objects.get(username="bench-admin")
    baseline = peak_rss_mb()
    with transaction.atomic():  # rolled back: every run imports the same new rows
        from django.contrib.contenttypes.models import ContentType

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
        transaction.set_rollback(True)
    return result


def child_export(limit: int, without: tuple[str, ...] = ()) -> dict:
    from django.contrib import admin
    from django.urls import reverse

    from bench.measure import admin_client, peak_rss_mb
    from portal.importing import CSV
    from portal.jobs.exports import iter_csv
    from takedowns.models import TakedownCase

    resource_class = find_case_resource()
    model_admin = admin.site._registry.get(TakedownCase)
    via_admin = model_admin is not None and hasattr(model_admin, "export_action")
    started = time.perf_counter()
    if via_admin:
        formats = model_admin.get_export_formats()
        csv_index = next(i for i, f in enumerate(formats) if issubclass(f, CSV))
        resources = model_admin.get_export_resource_classes(None)
        index = resources.index(resource_class) if resource_class in resources else 0
        chosen = resources[index]
        fields = {
            f"{chosen.__name__.lower()}_{name}": "on"
            for name in chosen().get_export_order()
            if name not in without
        }
        response = admin_client().post(
            reverse("admin:takedowns_takedowncase_export"),
            {"format": csv_index, "resource": index, **fields},
        )
        chunks = (c for c in response.streaming_content)
    else:
        resource = resource_class()
        selected = [name for name in resource.get_export_order() if name not in without]
        chunks = (
            c.encode()
            for c in iter_csv(
                resource, TakedownCase.objects.all().order_by("pk"), selected_fields=selected
            )
        )
    first_byte = None
    rows = -1  # the header line
    at_100k = None
    size = 0
    for chunk in chunks:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        rows += chunk.count(b"\r\n")
        size += len(chunk)
        if at_100k is None and rows >= min(100_000, limit // 10):
            at_100k = peak_rss_mb()
        if rows >= limit:
            break
    seconds = time.perf_counter() - started
    return {
        "via_admin": via_admin,
        "first_byte": first_byte,
        "rows": rows,
        "seconds": seconds,
        "bytes": size,
        "rss_at_100k_mb": at_100k,
        "peak_mb": peak_rss_mb(),
    }


# --- the parent -----------------------------------------------------------------------------


def write_import_file(path: Path, rows: int) -> tuple[list[str], str] | None:
    """100,000 new cases in the columns of the project's case Resource: real rows exported
    through the Resource, with the natural key left blank so that each row is a new case."""
    from bench.measure import admin_client
    from portal.jobs.exports import iter_csv
    from takedowns.models import TakedownCase

    resource_class = find_case_resource()
    if resource_class is None:
        return None
    admin_client()  # the bench superuser runs the import
    resource = resource_class()
    key_columns = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
    queryset = TakedownCase.objects.filter(pk__gt=100).order_by("pk")[:rows]
    import_fields = resource.get_import_fields()
    names = [name for name, field in resource.fields.items() if field in import_fields]
    # each chunk ends at a row boundary
    chunks = iter_csv(resource, queryset, selected_fields=names, bom=False)
    headers = next(csv.reader(io.StringIO(next(chunks))))
    import_columns = {f.column_name for f in resource.get_import_fields()}
    keep = [i for i, h in enumerate(headers) if h in import_columns]
    key_positions = [headers.index(c) for c in key_columns if c in headers]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([headers[i] for i in keep])
        for chunk in chunks:
            for row in csv.reader(io.StringIO(chunk)):
                for position in key_positions:
                    row[position] = ""  # a blank key: a new row (cases get their next reference)
                writer.writerow([_unescape(row[i]) for i in keep])
    return [headers[i] for i in keep], ",".join(key_columns)


def _unescape(value: str) -> str:
    """Undo the export's formula escaping (a real user re-imports what they typed)."""
    return value[1:] if value.startswith("'") and value[1:2] in ("=", "+", "-", "@") else value


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


def export_figures(results, label):
    from bench.measure import Figure

    rates = sorted(r["rows"] / r["seconds"] for r in results)
    first = sorted(r["first_byte"] for r in results)
    growth = max(r["peak_mb"] - (r["rss_at_100k_mb"] or r["peak_mb"]) for r in results)
    rows = results[0]["rows"]
    via = "admin export view" if results[0]["via_admin"] else "Resource streamed directly"
    note = f"{label}, {via}, {len(results)} run(s)"
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
            rates[0] >= 30_000,
            note=f"{label}; slowest {rates[0]:,.0f} rows/s, {results[0]['bytes'] / 1e6:,.0f} MB",
        ),
        Figure(
            f"export {rows:,} cases: peak memory growth after 10%",
            growth,
            "MB",
            "≤ 50 MB",
            growth <= 50,
            note=f"{label}; peak RSS {max(r['peak_mb'] for r in results):.0f} MB",
        ),
    ]


def import_figure(results, label, key, copy_seconds, copy_rows):
    from bench.measure import Figure

    bad = [r for r in results if r["state"] != "succeeded"]
    rates = sorted(r["rows"] / r["seconds"] for r in results if r["rows"])
    rate = rates[len(rates) // 2] if rates else 0.0
    peak = max(r["peak_mb"] for r in results)
    rows = results[0]["rows"]
    copy_rate = copy_rows / copy_seconds
    note = (
        f"{label}; {len(results)} run(s), slowest {rates[0] if rates else 0:,.0f} rows/s; peak RSS "
        f"{peak:.0f} MB (process before reading the file {results[0]['baseline_mb']:.0f} MB); "
        f"plain COPY {copy_rate:,.0f} rows/s, {copy_rate / rate if rate else 0:,.0f}× faster"
    )
    if bad:
        note += f"; FAILED: {bad[0]['message']} {bad[0]['errors']}"
    return Figure(
        f"import {rows:,} cases (job path, validated)",
        rate,
        "rows/s",
        "≥ 2,000 rows/s, peak ≤ 300 MB",
        not bad and rate >= 2000 and peak <= 300,
        note=note,
    )


def measure_all(args, sample: dict, log=print) -> list:
    from django.conf import settings

    from bench import measure
    from bench.measure import Figure

    client = measure.admin_client()
    figures = []
    figures += measure.case_list_figures(client, args.runs)
    figures += measure.search_figures(client, args.runs, sample)
    figures.append(measure.detail_figure(client, args.runs, sample))
    figures.append(measure.dashboard_figure(client, args.runs))
    for figure in figures:
        log(figure.line())

    env = measure.env_for_children()
    env["DATABASE_URL"] = settings.DATABASES["default"]["_bench_url"]
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    # Import
    path = WORK_DIR / "cases-import.csv"
    written = write_import_file(path, args.import_rows)
    if written is None:
        figure = Figure(
            "import cases (job path)",
            None,
            "rows/s",
            "≥ 2,000 rows/s, peak ≤ 300 MB",
            None,
            note="takedowns/resources.py has no TakedownCase Resource yet",
        )
        log(figure.line())
        figures.append(figure)
    else:
        headers, key = written
        copy_seconds = sorted(
            copy_file_into_plain_table(path, headers) for _ in range(args.import_runs)
        )
        copy_median = copy_seconds[len(copy_seconds) // 2]
        log(
            f"          (PostgreSQL COPY of the same {args.import_rows:,}-row file into a plain "
            f"table: {copy_median:.2f} s)"
        )
        resource_class = find_case_resource()
        if hasattr(resource_class, "bulk_write"):
            runs = [(None, path, args.import_runs, "the project's case Resource")]
        else:
            small = WORK_DIR / "cases-import-small.csv"
            write_import_file(small, args.import_rows_as_is)
            runs = [
                (None, small, 1, "the project's case Resource as it is (saves row by row)"),
                (
                    "bench.case_bulk.BulkTakedownCaseResource",
                    path,
                    args.import_runs,
                    "with the proposed bulk_write (bench/case_bulk.py)",
                ),
            ]
        for resource_path, file, count, label in runs:
            extra = ["--child-resource", resource_path] if resource_path else []
            results = [
                measure.run_child(["--child-import", str(file), *extra], env) for _ in range(count)
            ]
            figure = import_figure(results, label, key, copy_median, args.import_rows)
            log(figure.line())
            figures.append(figure)

    # Export
    if find_case_resource() is None:
        figure = Figure(
            "export all cases as CSV",
            None,
            "rows/s",
            "first byte ≤ 2 s, ≥ 30,000 rows/s",
            None,
            note="takedowns/resources.py has no TakedownCase Resource yet",
        )
        log(figure.line())
        return [*figures, figure]
    dehydrated = [
        name
        for name in find_case_resource()().get_export_order()
        if hasattr(find_case_resource(), f"dehydrate_{name}")
    ]
    figures_export = []
    variants = [((), args.export_rows_all_columns, 1, "every column")]
    if dehydrated:
        variants.append(
            (
                tuple(dehydrated),
                args.export_rows,
                args.export_runs,
                f"without {', '.join(dehydrated)}",
            )
        )
    else:
        variants = [((), args.export_rows, args.export_runs, "every column")]
    for without, limit, runs, label in variants:
        extra = ["--child-without", ",".join(without)] if without else []
        results = [
            measure.run_child(["--child-export", str(limit), *extra], env) for _ in range(runs)
        ]
        figures_export += export_figures(results, label)
    for figure in figures_export:
        log(figure.line())
    return figures + figures_export


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="requests per page figure")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument(
        "--import-rows-as-is",
        type=int,
        default=10_000,
        help="rows for the case Resource while it saves row by row (it has no bulk_write)",
    )
    parser.add_argument("--export-rows", type=int, default=None, help="default: every case")
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument(
        "--export-rows-all-columns",
        type=int,
        default=50_000,
        help="rows for the export with dehydrate_* columns (they cost a query per row)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--child-export", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-resource", help=argparse.SUPPRESS)
    parser.add_argument("--child-without", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _configure_environment(database_url)

    if args.child_import or args.child_export is not None:
        import django

        django.setup()
        result = (
            child_import(args.child_import, args.child_resource)
            if args.child_import
            else child_export(args.child_export, tuple(filter(None, args.child_without.split(","))))
        )
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
    args.export_rows = args.export_rows or TakedownCase.objects.order_by("-pk")[0].pk
    args.export_rows_all_columns = min(args.export_rows_all_columns, args.export_rows)
    print("Load average before measuring: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print()
    figures = measure_all(args, sample)
    failed = [f for f in figures if not f.ok]
    print("Load average after measuring: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print()
    print(
        f"{len(figures) - len(failed)} of {len(figures)} figures meet their target "
        f"({time.perf_counter() - started:.0f} s in all)."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
