import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from impact.services import notify, notify_address


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Account mail goes through the outbox too, so an SMTP hiccup delays it
        # instead of failing the sign-up or reset page.
        message = self.render_mail(template_prefix, email, context)
        notify_address(
            to_email=email,
            kind="account",
            key=f"{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            title=message.subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX),
            body=message.body,
        )

    def confirm_email(self, request, email_address):
        with transaction.atomic():
            super().confirm_email(request, email_address)
            user = email_address.user
            notify(
                recipients=[user],
                kind="welcome",
                key="account",
                title=_("Welcome to Impact Groups, %(name)s") % {"name": user.public_name},
                body=_(
                    "Your email address is confirmed. Find a group whose opportunity excites "
                    "you, ask to join it, and log your first action within your first week."
                ),
                url=reverse("home"),
            )
