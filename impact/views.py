import functools
import hashlib
import logging
import sys
import time
from pathlib import Path

import django
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import etag, require_GET, require_http_methods, require_POST
from django.views.i18n import JavaScriptCatalog

from impact import selectors, services
from impact.celery import app as celery_app
from impact.forms import AccountDeleteForm, EmailPreferencesForm, LanguageForm, ProfileForm
from impact.http import safe_next
from impact.kinds import KINDS

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 once the database answers, 503 otherwise; the broker's state is reported too."""
    body = {"status": "ok", "database": "ok", "broker": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("healthz: database check failed", exc_info=True)
        body["status"] = body["database"] = "unavailable"
        status = 503
    if not _broker_answers():
        body["broker"] = "unavailable"
        if status == 200:
            body["status"] = "degraded"
    return JsonResponse(body, status=status)


# {broker url: (checked at, answered)}: a load balancer polling /healthz should not open a
# broker connection on every request, so each process asks at most every few seconds.
_BROKER_CHECKS: dict[str, tuple[float, bool]] = {}
BROKER_CHECK_SECONDS = 5.0


def _broker_answers() -> bool:
    url = celery_app.conf.broker_write_url or celery_app.conf.broker_url or ""
    checked_at, answered = _BROKER_CHECKS.get(url, (0.0, False))
    now = time.monotonic()
    if now - checked_at < BROKER_CHECK_SECONDS:
        return answered
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        answered = True
    except Exception:  # a broker outage degrades the service, it does not stop the web
        answered = False
    _BROKER_CHECKS[url] = (now, answered)
    return answered


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
    return render(request, "impact/profile.html", {"form": form})


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The footer's language switch: kept with the person's profile when they are signed in
    (their email follows it too), and in a cookie for the browser either way."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("This site does not speak that language."), status=400)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    response = redirect(safe_next(request) or "/")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.notifications_for_user(user=request.user)
    if request.GET.get("filter") == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/notifications.html",
        {"page": page, "only_unread": request.GET.get("filter") == "unread"},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notifications_for_user(user=request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url or "notification_list"
    if notification.url and not url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        target = "notification_list"
    return redirect(target)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    if request.htmx:
        page = Paginator(selectors.notifications_for_user(user=request.user), 25).get_page(1)
        return render(request, "impact/_notification_items.html", {"page": page})
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    enabled = selectors.email_kinds_enabled(user=request.user)
    form = EmailPreferencesForm(request.POST or None, initial={"kinds": sorted(enabled)})
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(user=request.user, enabled_kinds=form.cleaned_data["kinds"])
        messages.success(request, _("Your email choices are saved."))
        return redirect("notification_settings")
    return render(request, "impact/notification_settings.html", {"form": form})


# The token in the link is the authentication; mail clients POST here without a CSRF token
# (RFC 8058 one-click unsubscribe), so this view is exempt.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "GET":
            # Only ask; link scanners in mail clients follow GET links on their own.
            services.email_unsubscribe_check(token=token)
            return render(request, "impact/unsubscribe.html", {"token": token, "done": False})
        _user, kind = services.email_unsubscribe(token=token)
    except ValidationError as exc:
        return render(request, "impact/unsubscribe.html", {"error": exc.messages[0]}, status=400)
    return render(request, "impact/unsubscribe.html", {"done": True, "kind": KINDS[kind]})


@login_required
@require_GET
def notification_menu(request: HttpRequest) -> HttpResponse:
    """The header's notifications menu: the latest few, loaded when it opens."""
    latest = selectors.notifications_for_user(user=request.user)[:6]
    return render(request, "impact/_notification_menu.html", {"latest": latest})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete my account after confirming the password."""
    from django.contrib.auth import logout

    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc.message_dict.get("password"))
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted. Thank you for what you did with your groups.")
            )
            return redirect("home")
    return render(request, "impact/account_delete.html", {"form": form})


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the API's error shape under /api/, a friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Not found."), "code": "not_found", "fields": {}}, status=404
        )
    return render(request, "404.html", status=404)


# Errors that mean the database cannot be reached right now (a restart, a failover): the
# request may well work in a moment, so they are a 503, not a 500.
DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 while the database is unreachable: JSON in the API's error shape under /api/,
    a page elsewhere. Called inside the exception handler, so sys.exc_info() is the error; it
    renders without a request context, since the database may be what failed."""
    down = isinstance(sys.exc_info()[1], DATABASE_DOWN)
    status = 503 if down else 500
    if request.path.startswith("/api/"):
        if down:
            body = {
                "detail": _("The service is briefly unavailable. Please try again in a moment."),
                "code": "unavailable",
                "fields": {},
            }
        else:
            body = {"detail": _("Something went wrong on our side."), "code": "error", "fields": {}}
        response = JsonResponse(body, status=status)
    else:
        # No context processors: the database may be what failed.
        page = loader.get_template("503.html" if down else "500.html").render(
            {"site_name": settings.SITE_NAME}
        )
        response = HttpResponse(page, status=status)
    if down:
        response["Retry-After"] = "30"
    return response


# The installable app: its manifest, its service worker (served from the root, so that it may
# answer for every page) and the page it shows for a page never opened before, offline.
PWA_ASSETS = [
    "css/app.css",
    "js/app.js",
    "img/logo.svg",
    "img/icon-192.png",
    "django_htmx/htmx-2.min.js",  # what {% htmx_script %} loads
    "django_htmx/django-htmx.js",
]


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ] + [
        {
            "src": static(f"img/icon-maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    manifest = {
        "name": settings.SITE_NAME,
        "short_name": "Impact",
        "description": _("Act together. Measure impact. Reflect every week."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8f7",
        "theme_color": "#1d6b4f",
        "icons": icons,
        "shortcuts": [{"name": _("Log an action"), "url": "/"}],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [static(path) for path in PWA_ASSETS]
    # A new version whenever an asset's address changes (hashed names in production), so
    # browsers install the new worker and drop the old files.
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    response = render(
        request,
        "pwa/sw.js",
        {"assets": assets, "version": version},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/offline.html")


# The words the JavaScript shows (static/js), in the reader's language: Django's gettext() for
# the browser with our own djangojs catalogues (LOCALE_PATHS, which every catalogue reads).
# Naming one of our apps, which holds no catalogue itself, keeps out the admin's strings (its
# pages load their own); naming none would bring every installed app's.
_javascript_catalogue = JavaScriptCatalog.as_view(packages=["impact"])


@functools.cache
def _javascript_catalogue_version() -> str:
    """Changes with a compiled djangojs catalogue or with Django (its date and number formats
    are in the answer too); the catalogues are read once per process, like these files."""
    digest = hashlib.sha256(django.get_version().encode())
    for folder in settings.LOCALE_PATHS:
        for compiled in sorted(Path(folder).glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


def _javascript_catalogue_etag(request: HttpRequest) -> str:
    return f"{get_language()}-{_javascript_catalogue_version()}"


# The same address answers in each person's language (a cookie, the profile or the browser
# decides), so browsers keep it but ask again each time: the ETag names the language, and an
# unchanged catalogue costs a 304.
@require_GET
@etag(_javascript_catalogue_etag)
@cache_control(no_cache=True)
def javascript_catalogue(request: HttpRequest) -> HttpResponse:
    return _javascript_catalogue(request)
