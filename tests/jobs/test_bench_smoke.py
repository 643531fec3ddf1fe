"""The bench code at toy size: builds 1,000 cases with COPY and takes every measurement once.

Timings are not asserted (the bench itself does that, at full size); this keeps the code working.
"""

import re

import pytest

from bench import dataset, measure
from bench import run as bench_run
from gi_catalog.models import Seller
from takedowns.models import InfringingItem, StatusEvent, TakedownCase

pytestmark = pytest.mark.requires_postgres("the bench loads data with PostgreSQL COPY")


@pytest.fixture
def built(db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    return dataset.build(dataset.Sizes.scaled(1000), log=lambda line: None)


def test_the_dataset_is_built_with_copy(built):
    assert TakedownCase.objects.count() == 1000
    assert InfringingItem.objects.count() == 1500
    detail = TakedownCase.objects.get(pk=built["detail_case_id"])
    assert detail.items.count() == 20 and detail.events.count() == 30
    assert StatusEvent.objects.count() > 1000
    # sequences moved past the loaded ids: the ORM can add rows after a COPY
    assert TakedownCase.objects.order_by("-pk")[0].pk == 1000
    assert dataset.sample_of_existing()["detail_case_id"] == built["detail_case_id"]


def test_every_page_measurement_runs_once(built):
    client = measure.admin_client()
    figures = [
        *measure.case_list_figures(client, 1),
        *measure.search_figures(client, 1, built),
        measure.detail_figure(client, 1, built),
        measure.dashboard_figure(client, 1),
        *measure.training_figures(client, 1),
        *measure.daily_page_figures(1),
    ]
    by_name = {figure.name: figure for figure in figures}
    training = [f for f in figures if f.name.startswith(("training session", "attendance save"))]
    assert len(training) == 2 and all(f.value is not None for f in training)
    assert by_name["certificate, PDF"].value is not None
    daily = [
        "case add page",
        "case add: 3 items + evidence, to review, 1 save",
        "case change: edit + save (3 items, 1 evidence)",
        "sweep add page",
        "sweep change page",
        "sweep change: edit + save",
        "seller change page",
        "seller change: edit + save",
        "consultation add page",
    ]
    daily += [name for name in by_name if name.startswith("seller import preview")]
    assert len(daily) == 10, sorted(by_name)
    assert all(by_name[name].value is not None for name in daily), sorted(by_name)
    assert all(by_name[name].extra["queries"] > 0 for name in daily)
    assert by_name["case list, unfiltered"].value is not None
    assert by_name["case list, unfiltered"].extra["queries"] > 0
    assert by_name["case detail (20 items, 30 events)"].value is not None
    assert all(figure.line() for figure in figures)


def test_import_and_export_measurements_run_once(built, tmp_path):
    path = tmp_path / "cases.csv"
    headers = bench_run.write_import_file(path, 50)
    result = bench_run.child_import(str(path))
    assert result["state"] == "succeeded", (result["message"], result["errors"])
    assert result["new"] == 50
    assert bench_run.copy_file_into_plain_table(path, headers) > 0
    xlsx_path = bench_run.write_xlsx_copy(path)
    read = [bench_run.child_read(str(file)) for file in (path, xlsx_path)]
    assert [(r["format"], r["rows"], r["columns"]) for r in read] == [
        ("csv", 50, len(headers)),
        ("xlsx", 50, len(headers)),
    ]
    assert all(figure.line() for figure in bench_run.read_figures(read))
    records = Seller.history.count()
    page = bench_run.import_page_figures(measure.admin_client(), path, 1)
    sellers = Seller.objects.count()
    assert [f.name for f in page] == [
        "import page, 50-row case file: preview",
        "import page, 50-row case file: confirm",
        f"import page, {sellers:,}-row seller edits: preview",
        f"import page, {sellers:,}-row seller edits: confirm",
    ]
    assert all(f.value > 0 for f in page)
    assert TakedownCase.objects.count() == 1000  # each run rolled back
    assert Seller.history.count() == records
    exported = bench_run.child_export()
    assert exported["rows"] == exported["cases"] == 1000 and exported["first_byte"] is not None


def test_every_import_page_is_timed_with_its_own_export(built):
    from bench import import_pages

    lines = []
    figures = import_pages.import_page_figures(1, rows=20, log=lines.append)
    names = {f.name for f in figures}
    assert "import page, 20-row takedown cases (export sent back): preview" in names, lines
    assert not any("FAIL" in line for line in lines), lines
    assert "import page, 20-row infringing items (export sent back): confirm" in names, lines
    for label in ("GI authorizations", "promotion activities", "sweep findings", "consultations"):
        assert f"import page, 20-row {label} (export sent back): preview" in names, lines
    assert all(f.value is not None and f.value > 0 for f in figures), lines
    assert TakedownCase.objects.count() == 1000  # each run rolled back


def test_the_machine_speed_line_times_both_reference_works(built):
    line = measure.machine_speed()
    assert re.fullmatch(
        r"Machine speed \(best of 5\): Python reference loop \d+ ms, "
        r"PostgreSQL reference query \d+ ms\.",
        line,
    ), line
