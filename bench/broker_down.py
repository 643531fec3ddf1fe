"""How long an import or a report that goes to a background job takes to answer when the broker
is unreachable (nothing listens on its port), and what becomes of its job.

    python bench/broker_down.py             # 5 requests of each, the broker on 127.0.0.1:1
    python bench/broker_down.py --runs 3
    python bench/broker_down.py --broker redis://192.0.2.1:6379/0   # a host that never answers

``DATABASE_URL`` chooses the database (migrated here; a user and a workstream are added). Prints
each request's time, status and job state, then the median; exit 1 when the median is above
``--target-ms`` (default 1,000 ms) or a job is left queued.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOWN = "redis://127.0.0.1:1/0"  # a refused connection, as when the broker is down


def _configure_environment(broker: str) -> None:
    os.environ["CELERY_BROKER_URL"] = broker
    os.environ["CELERY_RESULT_BACKEND"] = broker
    os.environ["CACHE_URL"] = "locmem://"  # only the broker is down
    os.environ["IMPORT_JOB_THRESHOLD_ROWS"] = "1"  # every file goes to a job
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    from portal.models import Agreement, Workstream

    user, _ = get_user_model().objects.get_or_create(
        username="bench-broker-down", defaults={"is_staff": True, "is_superuser": True}
    )
    agreement, _ = Agreement.objects.get_or_create(
        title="Bench MOU", defaults={"parties": "DIP, TikTok", "signed_on": "2025-01-10"}
    )
    workstream = Workstream.objects.filter(agreement=agreement).first()
    if workstream is None:
        from portal.choices import WorkstreamCode

        workstream = Workstream.objects.create(agreement=agreement, code=WorkstreamCode.values[0])
    return user, workstream


def _has_command(name: str) -> bool:
    from django.core.management import get_commands

    return name in get_commands()


def _client(user):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _target_file(workstream):
    import tablib
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.choices import TargetMetric

    rows = [
        ("", workstream.pk, f"Bench KPI {i}", TargetMetric.values[0], "10", "cases")
        + ("2026-01-01", "2026-12-31")
        for i in range(5)
    ]
    headers = ["id", "workstream", "name", "metric", "target_value", "unit"]
    headers += ["period_start", "due_date"]
    raw = tablib.Dataset(*rows, headers=headers).export("csv").encode("utf-8-sig")
    return SimpleUploadedFile("targets.csv", raw, content_type="text/csv")


def _time_import(client, workstream):
    from django.urls import reverse

    from portal.jobs.models import Job

    upload = _target_file(workstream)
    start = time.perf_counter()
    response = client.post(
        reverse("admin:portal_target_import"), {"format": 0, "import_file": upload, "resource": 0}
    )
    elapsed = time.perf_counter() - start
    job = Job.objects.order_by("-pk").first()
    return elapsed, response.status_code, job.state if job else "-"


def _time_report(client):
    from django.urls import reverse

    from portal.dashboard import reports
    from portal.dashboard.models import ReportJob

    reports.STREAM_MAX_ROWS = -1  # every report goes to a job, whatever the data
    start = time.perf_counter()
    response = client.post(reverse("admin:dashboard_report"), {"format": "xlsx"})
    elapsed = time.perf_counter() - start
    job = ReportJob.objects.order_by("-created_at").first()
    return elapsed, response.status_code, job.status if job else "-"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target-ms", type=float, default=1000.0)
    parser.add_argument(
        "--broker", default=DOWN, help="a broker URL that cannot be reached (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    _configure_environment(args.broker)
    user, workstream = _setup()
    client = _client(user)
    ok = True
    for name, measure in (
        ("import", lambda: _time_import(client, workstream)),
        ("report", lambda: _time_report(client)),
    ):
        times = []
        for run in range(args.runs):
            elapsed, status, state = measure()
            times.append(elapsed * 1000)
            print(f"{name} #{run + 1}: {elapsed * 1000:.0f} ms, HTTP {status}, job {state}")
            ok = ok and state != "queued"
        median = statistics.median(times)
        print(
            f"{name}: median {median:.0f} ms, max {max(times):.0f} ms (target {args.target_ms:.0f})"
        )
        ok = ok and median <= args.target_ms
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
