"""Per-token rate limit: a fixed-window counter in the shared cache (Redis in production and CI).

``cache.add`` + ``cache.incr`` are atomic in Redis, so concurrent workers count every request once.
When the cache cannot be reached the limit fails open: the request is served and a warning is
logged (the API's data is in PostgreSQL; an unreachable Redis must not take the API down).
"""

import logging
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from portal.api.models import ApiToken

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency; local memory cache otherwise
    RedisError = OSError

#: What an unreachable cache raises.
CACHE_ERRORS = (RedisError, OSError)

logger = logging.getLogger(__name__)


class TokenRateThrottle(BaseThrottle):
    scope = "token"

    def __init__(self):
        rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(None, rate)
        self._wait = 0.0

    def allow_request(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True  # unauthenticated requests are refused before this runs
        now = time.time()
        window = int(now // self.duration)
        key = f"api:throttle:{token.token_key}:{window}"
        try:
            count = self._count(key)
        except CACHE_ERRORS as error:
            logger.warning(
                "API rate limit not applied (token %s…): the cache is unreachable: %s",
                token.token_key,
                error,
            )
            return True
        self._wait = self.duration - (now % self.duration)
        return count <= self.num_requests

    def _count(self, key: str) -> int:
        if cache.add(key, 1, timeout=self.duration + 1):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the window's key expired between add() and incr()
            cache.add(key, 1, timeout=self.duration + 1)
            return 1

    def wait(self) -> float:
        return self._wait
