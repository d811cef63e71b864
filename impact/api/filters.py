"""List filters that take only what the schema says they take (REST_FRAMEWORK's
DEFAULT_FILTER_BACKENDS):

- a foreign key (`?group=3`) is an id: one that names nothing filters to nothing (an empty list),
  as for a group this person may not see, rather than "Select a valid choice";
- a boolean is `true` or `false`;
- a parameter that is present must have a value: `?until=` is a 400 naming it, not "no filter".
"""

import django_filters
import django_filters.rest_framework
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from impact.ids import IdFilter


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class EveryParameterHasAValue(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if name in self.data and self.data.get(name) == "":
                self.add_error(name, _("Give a value, or leave this parameter out."))
        return cleaned


class FilterSet(django_filters.rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    def get_form_class(self):
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        return type(f"{type(self).__name__}Form", (EveryParameterHasAValue,), fields)


class FilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    filterset_base = FilterSet
