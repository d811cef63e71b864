import math

from rest_framework.throttling import UserRateThrottle


class WriteRateThrottle(UserRateThrottle):
    """Limits how fast one person (or one address, signed out) can write, through the API and
    the pages' forms together.

    A counter per fixed window in the shared cache (one `incr` per write) rather than REST
    framework's list of every request's time, which is read, rewritten and pickled whole on
    each request and grows with the rate (the benchmark's 300 writes a second made it the
    costliest step of logging an action)."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS") or self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.key = f"{ident}:{window}"
        self.window_ends = (window + 1) * self.duration
        # incr() is atomic in Redis; the first write of a window starts its count with add(),
        # and if another process got there first, counts on top of it.
        try:
            count = self.cache.incr(self.key)
        except ValueError:
            count = (
                1 if self.cache.add(self.key, 1, self.duration + 1) else self.cache.incr(self.key)
            )
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1.0, math.ceil(self.window_ends - self.now))
