"""The bench's filtered-dashboard measurement at toy size (the bench itself checks the time)."""

import pytest
from django.db import connection

from bench import dataset, measure

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bench loads data with PostgreSQL COPY"
)


@pytest.fixture
def built(db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    return dataset.build(dataset.Sizes.scaled(1000), log=lambda line: None)


def test_the_filtered_dashboard_measurement_runs_and_never_hits_the_cache(built):
    urls = measure.dashboard_filtered_urls(5)
    assert len(set(urls)) == len(urls) == 7  # each request its own filters: computed, not cached
    figure = measure.dashboard_filtered_figure(measure.admin_client(), 3)
    assert figure.value is not None and figure.extra["queries"] > 0
    assert "filtered" in figure.line()
