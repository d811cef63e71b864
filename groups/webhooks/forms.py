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


class WebhookActionForm(forms.Form):
    do = forms.ChoiceField(
        choices=[("enable", "enable"), ("disable", "disable"), ("test", "test"), ("roll", "roll")]
    )
