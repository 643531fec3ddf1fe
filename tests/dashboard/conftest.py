import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Filtered figures are cached between requests; every test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
