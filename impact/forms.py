from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from impact.kinds import optional_kinds
from impact.models import User, common_time_zone_choices, is_real_time_zone, language_choices


# A date or time input's value is ISO whatever the language (the browser shows it its own way):
# without a format Django writes the language's first input format (03.12.2026 in German),
# which a browser's date input cannot read, so the field would show up empty.
class DayInput(forms.DateInput):
    def __init__(self, attrs=None):
        super().__init__({"type": "date", **(attrs or {})}, format="%Y-%m-%d")


class MomentInput(forms.DateTimeInput):
    def __init__(self, attrs=None):
        super().__init__({"type": "datetime-local", **(attrs or {})}, format="%Y-%m-%dT%H:%M")


class TimeZoneField(forms.ChoiceField):
    """Offers the common zones (common_time_zone_choices) and accepts any other real one too:
    a saved old alias, or the name the browser gives (app.js adds it to the list)."""

    def __init__(self, **kwargs):
        super().__init__(choices=common_time_zone_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return super().valid_value(value) or is_real_time_zone(str(value))


class ProfileFields(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A saved zone the list no longer offers (an old alias) stays the one chosen.
        saved = self.initial.get("time_zone")
        self.fields["time_zone"].choices = common_time_zone_choices(saved)

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("How your group sees you, for example your first name."),
    )
    time_zone = TimeZoneField(
        label=_("Time zone"),
        initial="UTC",
        widget=forms.Select(attrs={"data-detect-timezone": "true"}),
        help_text=_("Meeting times and reminders are shown in this time zone."),
    )


class LanguageField(forms.ChoiceField):
    """The language the site speaks to a person; empty: their browser's."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Language"),
            required=False,
            choices=[("", _("The language of my browser")), *language_choices()],
            help_text=_("Pages and every email and notification we send you."),
            **kwargs,
        )


def with_language(form: forms.Form) -> None:
    """Offer the language only where the site speaks more than one."""
    if len(language_choices()) > 1:
        form.fields["language"] = LanguageField()


class SignupExtraForm(ProfileFields):
    """The fields allauth's sign-up form gains: a display name and a time zone."""

    field_order = [
        "display_name",
        "email",
        "username",
        "time_zone",
        "language",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_language(self)

    def signup(self, request, user: User) -> None:
        # allauth has already saved the user when it calls this: save the extra fields here.
        user.display_name = self.cleaned_data["display_name"].strip()
        user.time_zone = self.cleaned_data["time_zone"]
        # Left to the browser: the browser's language now (LocaleMiddleware's pick), so that mail,
        # which has no browser to ask, is written in it too.
        language = self.cleaned_data.get("language") or translation.get_language()
        user.language = language if "language" in self.fields else ""
        user.save(update_fields=["display_name", "time_zone", "language"])


class ProfileForm(ProfileFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_language(self)


class LanguageForm(forms.Form):
    """The footer's switch: one of the site's languages."""

    language = forms.ChoiceField(choices=language_choices)


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
