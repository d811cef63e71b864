import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from impact.services import notify, notify_address


def site() -> SimpleNamespace:
    """The site as emails name it: SITE_NAME, and the domain of SITE_URL."""
    return SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        # The bare subject becomes the outbox row's title; sending names the site in front of
        # it, as for every email (impact.services.delivery.email_subject).
        return str(subject)

    def send_mail(self, template_prefix, email, context):
        # Account mail goes through the outbox too, so an SMTP hiccup delays it
        # instead of failing the sign-up or reset page.
        if template_prefix.endswith("/unknown_account"):
            # A reset asked for an address we do not know: answer the page exactly as for a
            # known one, but send nothing, so the form cannot be used to mail strangers.
            return
        request = allauth_context.request
        # The context allauth's own send_mail builds, but the site is named from settings: without
        # django.contrib.sites allauth takes name and domain from the request ("127.0.0.1:8000").
        ctx = {
            "request": request,
            "email": email,
            "current_site": site(),
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        notify_address(
            to_email=email,
            kind="account",
            key=f"{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            title=message.subject,
            body=message.body,
        )

    def confirm_email(self, request, email_address) -> bool:
        with transaction.atomic():
            # allauth treats a falsy answer as "not confirmed": no sign-in, an error page.
            confirmed = super().confirm_email(request, email_address)
            if not confirmed:
                return confirmed
            user = email_address.user
            notify(
                recipients=[user],
                kind="welcome",
                key="account",
                title=lambda: (
                    _("Welcome to %(site)s, %(name)s")
                    % {"site": settings.SITE_NAME, "name": user.public_name}
                ),
                body=lambda: _(
                    "Your email address is confirmed. Find a group whose opportunity excites "
                    "you, ask to join it, and log your first action within your first week."
                ),
                url=reverse("home"),
            )
        return confirmed
