import pytest
from django.core.cache import cache

# The browser fixtures (headless Chromium, CSP and JS-error watch) of tests/browser.
from tests.browser.conftest import browser_page, chromium  # noqa: F401
from tests.security.support import _drop_swapped_out_tables  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Filtered figures are cached between requests; every test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
