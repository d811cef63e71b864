from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from impact.forms import DayInput
from metrics.models import MAX_EFFORT_MINUTES, MetricDefinition
from metrics.services import METRIC_FIELDS, parse_value
from metrics.services.definitions import unit_singular_too_long


class NumberTextInput(forms.TextInput):
    """A number shown the way the person's language writes it (2,5 in German), plainly: no
    thousands separator, no trailing zeros, so it reads back as the same number."""

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            value = Decimal(str(value))
            return number_format(value.normalize() if value.is_finite() else value)
        return super().format_value(value)


class ImpactValueField(forms.CharField):
    """A measured value (an impact, a measurement, a target), read by the same rule as the
    service: 2,5 and 2.5 both work in every language.

    A text input with a decimal keypad, not type=number: a browser empties a number input
    it cannot parse (2,5 in one set to English), and what the person typed must stay in the
    form next to the message. A value from the database is shown in the language's own form.
    """

    widget = NumberTextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_value(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["value"]) from exc


class ActionForm(forms.Form):
    """The quick log: what I did, when, how long, and the impact per metric (all optional)."""

    description = forms.CharField(
        label=_("What did you do?"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Planted 12 oaks by the bridge"), "autocomplete": "off"}
        ),
    )
    happened_on = forms.DateField(label=_("Day"), widget=DayInput())
    effort_minutes = forms.IntegerField(
        label=_("Effort (minutes)"),
        min_value=1,
        max_value=MAX_EFFORT_MINUTES,
        initial=30,
        # Step 1 from min 1: a browser accepts every whole number of minutes people type (a
        # step of 5 from min 1 made it refuse 30 and 45).
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )

    # Efforts picked with a tap on a phone (the field still takes any number of minutes).
    effort_choices = [(15, _("15 min")), (30, _("30 min")), (60, _("1 hour")), (120, _("2 hours"))]

    def __init__(self, *args, metrics=(), today=None, with_notes=False, initiatives=None, **kwargs):
        super().__init__(*args, **kwargs)
        if initiatives is not None and initiatives.exists():
            self.fields["initiative"] = forms.ModelChoiceField(
                label=_("Initiative it serves"),
                queryset=initiatives,
                required=False,
                empty_label=_("None in particular"),
            )
        self.fields["happened_on"].initial = today or timezone.localdate()
        self.fields["happened_on"].widget.attrs["max"] = str(self.fields["happened_on"].initial)
        if with_notes:
            self.fields["notes"] = forms.CharField(
                label=_("Notes"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Optional details; Markdown works (**bold**, lists, links)."),
            )
        self.metric_fields = []
        for metric in metrics:
            name = f"impact_{metric.pk}"
            self.fields[name] = ImpactValueField(
                label=_("%(name)s (%(unit)s)") % {"name": metric.name, "unit": metric.unit}
            )
            self.metric_fields.append(name)

    def impacts(self) -> list[tuple[int, object]]:
        return [
            (int(name.removeprefix("impact_")), self.cleaned_data[name])
            for name in self.metric_fields
            if self.cleaned_data.get(name) is not None
        ]


class UnitSingularMessageMixin:
    """A unit for one that is too long gets the service's words, not Django's generic ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_singular"].error_messages["max_length"] = unit_singular_too_long()


class MetricForm(UnitSingularMessageMixin, forms.ModelForm):
    target = ImpactValueField(
        label=capfirst(MetricDefinition._meta.get_field("target").verbose_name)
    )

    class Meta:
        model = MetricDefinition
        fields = METRIC_FIELDS
        widgets = {
            "target_date": DayInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class NetworkMetricForm(UnitSingularMessageMixin, forms.ModelForm):
    class Meta:
        model = MetricDefinition
        # A group metric's fields but its target: a network's metric has none.
        fields = [f for f in METRIC_FIELDS if f not in ("target", "target_date")]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class MeasurementForm(forms.Form):
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=MetricDefinition.objects.none())
    value = ImpactValueField(label=_("Value"), required=True)
    measured_on = forms.DateField(label=_("Day"), widget=DayInput())

    def __init__(self, *args, metrics=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = (
            metrics if metrics is not None else MetricDefinition.objects.none()
        )
        self.fields["measured_on"].initial = today or timezone.localdate()
