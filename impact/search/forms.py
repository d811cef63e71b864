"""The search's input, read the same way by the page and the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from impact.ids import parse_id
from impact.models import User
from impact.search.selectors import KIND_CHOICES, MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={
            "max_length": _("Search with at most %(limit_value)d characters."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Everything")), *KIND_CHOICES],
        error_messages={"invalid_choice": _("Choose one of the kinds listed.")},
    )
    group = forms.CharField(label=_("Group"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_group(self) -> int | None:
        value = self.cleaned_data.get("group")
        if value in (None, ""):
            return None
        pk = parse_id(value)
        if pk is None:
            raise forms.ValidationError(_("No group you can see has this id."), code="invalid")
        # A group this person may not see finds nothing, as one that does not exist: the
        # search reads only what the person may read (the counts too).
        return pk
