import datetime

import pytest
import tablib

from portal.celery import app
from portal.choices import TargetMetric, WorkstreamCode
from portal.models import Agreement, Workstream


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_celery():
    """Run queued tasks in-process (the quick start's mode), whatever broker is configured."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def workstream(db):
    agreement = Agreement.objects.create(
        title="MOU", parties="DIP, TikTok", signed_on=datetime.date(2025, 1, 10)
    )
    return Workstream.objects.create(agreement=agreement, code=WorkstreamCode.values[0])


def holiday_csv(rows, headers=("date", "name")) -> bytes:
    dataset = tablib.Dataset(*rows, headers=list(headers))
    return dataset.export("csv").encode("utf-8-sig")


def target_rows(workstream, count, *, start=0, value="10"):
    return [
        (
            f"KPI {i}",
            workstream.pk,
            TargetMetric.values[0],
            value,
            "cases",
            "2026-01-01",
            "2026-12-31",
        )
        for i in range(start, start + count)
    ]


TARGET_HEADERS = (
    "name",
    "workstream",
    "metric",
    "target_value",
    "unit",
    "period_start",
    "due_date",
)
