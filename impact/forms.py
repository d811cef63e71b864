from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from impact.kinds import optional_kinds
from impact.models import User, time_zone_choices


class ProfileFields(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("How your group sees you, for example your first name."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial="UTC",
        widget=forms.Select(attrs={"data-detect-timezone": "true"}),
        help_text=_("Meeting times and reminders are shown in this time zone."),
    )


class SignupExtraForm(ProfileFields):
    """The fields allauth's sign-up form gains: a display name and a time zone."""

    field_order = ["display_name", "email", "username", "time_zone", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        # allauth has already saved the user when it calls this: save the extra fields here.
        user.display_name = self.cleaned_data["display_name"].strip()
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["display_name", "time_zone"])


class ProfileForm(ProfileFields):
    pass


class EmailPreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Email me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(kind.key, kind.label) for kind in optional_kinds()]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def add_service_errors(form: forms.Form, exc) -> None:
    """Show a service's ValidationError beside the form's fields (unknown fields: at the top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class FormErrors(Exception):
    """Raised by `errors_into` once a service's errors are on the form."""


@contextmanager
def errors_into(form: forms.Form):
    """Turn a service's ValidationError into errors beside the form's fields, then raise
    FormErrors so the view renders the form again."""
    try:
        yield
    except ValidationError as exc:
        add_service_errors(form, exc)
        raise FormErrors from exc
