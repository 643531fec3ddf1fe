"""Every admin import page with a file of its own export (issue 23: a file of up to 2,000 rows
answers on the page in at most 1 s).

    python bench/import_pages.py            # on the database make bench built (bench_portal)
    python bench/import_pages.py --runs 3

``BENCH_DATABASE_URL`` chooses the database (default postgres://postgres@127.0.0.1:5432/bench_portal);
it must hold the bench dataset (``make bench`` builds it). For each model with an import page and
rows in the database (``bench.dataset.add_import_page_rows`` first fills the import pages the
big dataset leaves empty: GI products, authorizations, promotion activities, sweep findings,
consultations): its first 2,000 rows exported through its Resource (the import columns),
then sent back unchanged as a superuser: the upload answered with its preview, then the
confirmation (each run rolled back). A model with no rows, or whose file is larger than the page
imports itself (``IMPORT_JOB_THRESHOLD_BYTES``: a background job's), is named and skipped. Exit status 1 when
a target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_portal"


def exported_file(model_admin, rows: int) -> tuple[bytes, int]:
    """The model's first ``rows`` rows in the import's columns, as its CSV export writes them."""
    from portal.jobs.exports import iter_csv

    resource = model_admin.get_import_resource_classes(None)[0]()
    import_fields = resource.get_import_fields()
    names = [name for name, field in resource.fields.items() if field in import_fields]
    queryset = model_admin.model._default_manager.order_by("pk")[:rows]
    content = b"".join(iter_csv(resource, queryset, selected_fields=names, bom=False))
    return content, queryset.count()


def import_page_figures(runs: int, rows: int = 2000, log=print) -> list:
    from django.conf import settings
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from bench.dataset import add_import_page_rows
    from bench.measure import Figure, admin_client
    from bench.run import _import_page_figures

    add_import_page_rows(rows=rows, log=log)  # the pages the big dataset leaves empty
    client = admin_client()
    figures = []
    for model, model_admin in admin.site._registry.items():
        if not getattr(model_admin, "resource_classes", None):
            continue
        admin_name = f"{model._meta.app_label}_{model._meta.model_name}"
        try:
            reverse(f"admin:{admin_name}_import")
        except NoReverseMatch:
            continue  # exported only
        content, count = exported_file(model_admin, rows)
        with translation.override("en"):
            label = f"{model._meta.verbose_name_plural} (export sent back)"
        if not count:
            log(f"          ({label}: no rows in this database)")
            continue
        if len(content) > settings.IMPORT_JOB_THRESHOLD_BYTES:  # the page hands it to a job
            log(f"          ({label}: {len(content):,} bytes, a background job's file)")
            continue
        try:
            found = _import_page_figures(client, admin_name, label, content, runs)
        except RuntimeError as error:
            found = [
                Figure(f"import page, {label}", None, "ms", "p95 ≤ 1000 ms", False, note=str(error))
            ]
        for figure in found:
            log(figure.line())
        figures += found
    return figures


def main(argv=None) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="uploads per page after a first")
    args = parser.parse_args(argv)

    from bench import run as runner

    runner._configure_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    import portal.wsgi  # noqa: F401  pages are timed in a process set up as the server's is
    from bench.measure import exit_status, machine_speed

    started = time.perf_counter()
    print(machine_speed())
    figures = import_page_figures(args.runs)
    print()
    return exit_status(figures, started)


if __name__ == "__main__":
    sys.exit(main())
