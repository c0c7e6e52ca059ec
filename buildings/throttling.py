"""The rate limits, in one cache round trip per request (#15).

DRF's ScopedRateThrottle keeps each client's list of request times in the cache: a read and a write per
request (two round trips to Redis), and two requests at the same moment can both take the last slot.
This one counts in fixed windows of the rate's duration and weighs the previous window by how much of
it still overlaps the sliding window ending now (the estimate Cloudflare and others use): one atomic
INCR of the current window's counter, with its expiry and a read of the previous one, pipelined
(`cache_ops.count`). Every request counts, refused ones too: a client that keeps knocking stays refused
until it slows down. Scopes and rates are DRF's (`throttle_scope`, DEFAULT_THROTTLE_RATES).
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from . import cache_ops


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.num_requests, self.duration = num_requests, duration
        self.rate_limit: tuple[int, int] = (num_requests, duration)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window, into = divmod(now, duration)
        current, previous = cache_ops.count(
            self.cache, f"{self.key}:{int(window)}", 2 * duration, f"{self.key}:{int(window) - 1}"
        )
        self._current, self._previous, self._into = current, previous, into
        return previous * (1 - into / duration) + current <= num_requests

    def wait(self) -> float | None:
        """Seconds until a next request would pass (the Retry-After header), if none is sent meanwhile."""
        rate, duration = self.rate_limit
        left = duration - self._into
        if self._previous and self._current + 1 <= rate:
            # Within this window: previous × (1 − t/duration) + current + 1 ≤ rate once t is large enough.
            needed = duration * (1 - (rate - self._current - 1) / self._previous) - self._into
            if needed <= left:
                return max(0.0, needed)
        # In the next window this one is the previous: current × (1 − t/duration) + 1 ≤ rate.
        return left + duration * max(0.0, 1 - (rate - 1) / self._current)
