import zoneinfo

from django.shortcuts import render
from django.utils import timezone, translation

from impact.api.throttles import WriteRateThrottle


class UserTimezoneMiddleware:
    """Show every time in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """Speak the signed-in person's chosen language; without a choice (or signed out) the
    browser's, which LocaleMiddleware picked from Accept-Language and the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = user.chosen_language if user is not None and user.is_authenticated else ""
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


class WriteRateLimitMiddleware:
    """Form posts on pages share the API's write budget (API_WRITE_RATE), per person when signed
    in and per address when not, counted in the shared cache so every process sees the same
    count. The API is throttled by REST framework itself, so it is not counted twice here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
            return self.get_response(request)
        throttle = WriteRateThrottle()
        if throttle.allow_request(request, None):
            return self.get_response(request)
        wait = int(throttle.wait())  # whole seconds, at least one
        response = render(request, "429.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
