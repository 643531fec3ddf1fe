"""Per-token rate limit: a fixed-window counter in the shared cache (Redis in production and CI).

``cache.add`` + ``cache.incr`` are atomic in Redis, so concurrent workers count every request once.
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from portal.api.models import ApiToken


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
        if cache.add(key, 1, timeout=self.duration + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # the window's key expired between add() and incr()
                cache.add(key, 1, timeout=self.duration + 1)
                count = 1
        self._wait = self.duration - (now % self.duration)
        return count <= self.num_requests

    def wait(self) -> float:
        return self._wait
