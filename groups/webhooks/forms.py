from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from groups.webhooks.addresses import RefusedAddress, check_url
from groups.webhooks.models import Webhook


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The incoming-webhook address your chat gave you. It must be public."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=Webhook.Format.choices,
        initial=Webhook.Format.SLACK,
        widget=forms.RadioSelect,
    )
    events = forms.MultipleChoiceField(
        label=_("Post these events"),
        choices=Webhook.Event.choices,
        initial=Webhook.Event.values,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to post.")},
    )

    def __init__(self, *args, network_level: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if network_level:
            # A network's chat gets what the whole network may read, nothing of a group's own.
            labels = dict(Webhook.Event.choices)
            labels[Webhook.Event.QUESTION] = _("Question posed to the network")
            field = self.fields["events"]
            field.choices = [(e, labels[e]) for e in Webhook.NETWORK_EVENTS]
            field.initial = list(Webhook.NETWORK_EVENTS)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except RefusedAddress as exc:
            raise ValidationError(str(exc)) from exc
        return url


class WebhookEditForm(WebhookForm):
    """A hook's settings changed: the address is asked again only when it changes, as a chat's
    webhook address carries its key and is not shown once the hook is added."""

    new_secret = forms.BooleanField(
        label=_("Give it a new signing secret"),
        required=False,
        help_text=_(
            "Unticked, the secret stays the same, also when the address changes. A new one is "
            "shown once, on the next page; the old one stops working."
        ),
    )
    turn_on = forms.BooleanField(label=_("Turn it on again"), required=False)

    def __init__(self, *args, hook: Webhook, **kwargs):
        kwargs.setdefault("initial", {"format": hook.format, "events": hook.events})
        super().__init__(*args, network_level=hook.group_id is None, **kwargs)
        url = self.fields["url"]
        url.required = False
        url.label = _("New webhook URL")
        url.help_text = _(
            "Leave it empty to keep posting to %(host)s. A new address must be public too."
        ) % {"host": hook.host}
        if hook.is_active:
            del self.fields["turn_on"]
        else:
            self.fields["turn_on"].help_text = _(
                "It is off now. Fixing its address is the usual way to make it work again."
            )

    def clean_url(self) -> str:
        if not self.cleaned_data["url"]:
            return ""
        return super().clean_url()


class WebhookActionForm(forms.Form):
    do = forms.ChoiceField(
        choices=[("enable", "enable"), ("disable", "disable"), ("test", "test"), ("roll", "roll")]
    )
