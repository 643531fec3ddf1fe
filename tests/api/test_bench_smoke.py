"""bench/api.py at toy size: every API figure and the bulk figure are measured once.

Timings are not asserted here (the bench does that at 1,000,000 cases); this keeps the code working.
"""

import pytest

from bench import api as api_bench
from bench import dataset

pytestmark = pytest.mark.requires_postgres("the bench loads data with PostgreSQL COPY")


@pytest.fixture
def built(db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    return dataset.build(dataset.Sizes.scaled(1000), log=lambda line: None)


def test_every_api_figure_runs_once(built):
    figures = api_bench.api_figures(1, bulk_rows=10, log=lambda line: None)
    by_name = {figure.name: figure for figure in figures}
    assert by_name["API case list, first page (50)"].value is not None
    assert by_name["API case list: queries, 10 vs 200 a page"].ok is True
    assert by_name["API event feed: queries, 10 vs 500 a page"].ok is True
    bulk = by_name["bulk decisions, 10-row CSV"]
    assert bulk.value is not None and "10 applied, 0 errors" in bulk.note
    assert not api_bench.has_updated_at_index() or not any(
        "[proposed index]" in name for name in by_name
    )
    assert all(figure.line() for figure in figures)
