"""``/health/``: can this instance serve? For the container's health check and load balancers.

No login. The answer names each dependency and says ``ok`` or ``failing``, nothing more (never an
error message, a host or a version); why a check failed goes to the server's log.
200 when every check passes, 503 otherwise.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

CACHE_PROBE_KEY = "health:probe"
BROKER_TIMEOUT_SECONDS = 3


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    cache.set(CACHE_PROBE_KEY, "ok", timeout=30)
    if cache.get(CACHE_PROBE_KEY) != "ok":
        raise RuntimeError("the cache did not give back what it was given")


def _broker() -> None:
    from portal.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)


def _checks() -> dict:
    checks = {"database": _database, "cache": _cache}
    if settings.CELERY_BROKER_URL:  # none in the quick start: tasks run in the request
        checks["broker"] = _broker
    return checks


@never_cache
@require_safe
def health(request):
    results = {}
    for name, check in _checks().items():
        try:
            check()
        except Exception:
            logger.warning("health check %r failed", name, exc_info=True)
            results[name] = "failing"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
