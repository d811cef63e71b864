"""Pages for webhooks: a group's (its moderators) and a network's (its organizers) list with
the form to add one, each hook's page with its delivery log and actions, and the page to
change it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groups.models import Group, Network
from groups.permissions import Need, group_for_user, network_for_user, webhook_for_user
from groups.webhooks import services
from groups.webhooks.forms import WebhookActionForm, WebhookEditForm, WebhookForm
from groups.webhooks.models import Webhook
from impact.forms import FormErrors, errors_into

LOG_LENGTH = 50


def _secret_key(hook_pk: int) -> str:
    return f"webhook-secret:{hook_pk}"


def _list_page(
    request: HttpRequest, *, group: Group | None, network: Network, hooks
) -> HttpResponse:
    form = WebhookForm(
        request.POST if request.method == "POST" else None, network_level=group is None
    )
    if request.method == "POST" and form.is_valid():
        try:
            with errors_into(form):
                hook = services.webhook_create(
                    actor=request.user, group=group, network=network, **form.cleaned_data
                )
        except FormErrors:
            pass
        else:
            # Shown once, on the next page, and never again.
            request.session[_secret_key(hook.pk)] = hook.secret
            messages.success(request, _("The webhook is added."))
            return redirect("groups:webhook_detail", pk=hook.pk)
    return render(
        request,
        "groups/webhooks/list.html",
        {"group": group, "network": network, "hooks": list(hooks), "form": form},
    )


@never_cache  # a hook's page may show its secret: never stored by a browser or proxy
@login_required
@require_http_methods(["GET", "POST"])
def group_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    hooks = Webhook.objects.filter(group=group)
    return _list_page(request, group=group, network=group.network, hooks=hooks)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def network_webhooks(request: HttpRequest, slug: str) -> HttpResponse:
    network, _role = network_for_user(request.user, slug, organize=True)
    hooks = Webhook.objects.filter(network=network, group__isnull=True)
    return _list_page(request, group=None, network=network, hooks=hooks)


@never_cache
@login_required
@require_http_methods(["GET"])
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hook = webhook_for_user(request.user, pk)
    log = list(hook.attempts.select_related("delivery__event")[:LOG_LENGTH])
    labels = dict(Webhook.Event.choices)
    for attempt in log:
        attempt.event_label = labels.get(attempt.delivery.event.kind, _("Test message"))
    return render(
        request,
        "groups/webhooks/detail.html",
        {
            "hook": hook,
            "group": hook.group,
            "network": hook.network,
            "log": log,
            "log_days": settings.WEBHOOK_LOG_DAYS,
            "secret": request.session.pop(_secret_key(hook.pk), None),
        },
    )


@never_cache
@login_required
@require_POST
def webhook_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a hook on or off, send it a test, or give it a new secret."""
    hook = webhook_for_user(request.user, pk)
    form = WebhookActionForm(request.POST)
    back = redirect("groups:webhook_detail", pk=hook.pk)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the webhook."))
        return back
    what = form.cleaned_data["do"]
    if what in ("enable", "disable"):
        services.webhook_set_active(actor=request.user, hook=hook, active=what == "enable")
        messages.success(
            request,
            _("The webhook is on.") if what == "enable" else _("The webhook is off."),
        )
    elif what == "test":
        try:
            services.webhook_send_test(actor=request.user, hook=hook)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("A test message is on its way; see the log below."))
    else:
        secret = services.webhook_roll_secret(actor=request.user, hook=hook)
        request.session[_secret_key(hook.pk)] = secret
        messages.success(request, _("The webhook has a new secret; the old one no longer works."))
    return back


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a hook's address, format and events (and, if asked, its secret)."""
    hook = webhook_for_user(request.user, pk)
    form = WebhookEditForm(request.POST if request.method == "POST" else None, hook=hook)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with errors_into(form):
                services.webhook_update(
                    actor=request.user,
                    hook=hook,
                    url=data["url"] or None,
                    format=data["format"],
                    events=data["events"],
                    new_secret=data["new_secret"],
                    turn_on=data.get("turn_on", False),
                )
        except FormErrors:
            pass
        else:
            if data["new_secret"]:
                request.session[_secret_key(hook.pk)] = hook.secret
                messages.success(
                    request,
                    _("The webhook is saved with a new secret; the old one no longer works."),
                )
            else:
                messages.success(request, _("The webhook is saved; its secret is the same."))
            return redirect("groups:webhook_detail", pk=hook.pk)
    return render(
        request,
        "groups/webhooks/edit.html",
        {"hook": hook, "group": hook.group, "network": hook.network, "form": form},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    hook = webhook_for_user(request.user, pk)
    if request.method == "POST":
        services.webhook_delete(actor=request.user, hook=hook)
        messages.success(request, _("The webhook is deleted."))
        if hook.group_id is not None:
            return redirect("groups:group_webhooks", pk=hook.group_id)
        return redirect("groups:network_webhooks", slug=hook.network.slug)
    return render(
        request,
        "groups/webhooks/delete.html",
        {"hook": hook, "group": hook.group, "network": hook.network},
    )
