from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics.models import MAX_EFFORT_MINUTES, MetricDefinition


class ActionForm(forms.Form):
    """The quick log: what I did, when, how long, and the impact per metric (all optional)."""

    description = forms.CharField(
        label=_("What did you do?"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Planted 12 oaks by the bridge"), "autocomplete": "off"}
        ),
    )
    happened_on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    effort_minutes = forms.IntegerField(
        label=_("Effort (minutes)"),
        min_value=1,
        max_value=MAX_EFFORT_MINUTES,
        initial=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )

    def __init__(self, *args, metrics=(), today=None, with_notes=False, **kwargs):
        super().__init__(*args, **kwargs)
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
            self.fields[name] = forms.DecimalField(
                label=_("%(name)s (%(unit)s)") % {"name": metric.name, "unit": metric.unit},
                required=False,
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            )
            self.metric_fields.append(name)

    def impacts(self) -> list[tuple[int, object]]:
        return [
            (int(name.removeprefix("impact_")), self.cleaned_data[name])
            for name in self.metric_fields
            if self.cleaned_data.get(name) is not None
        ]


class MetricForm(forms.ModelForm):
    class Meta:
        model = MetricDefinition
        fields = [
            "name",
            "unit",
            "direction",
            "aggregation",
            "target",
            "target_date",
            "description",
        ]
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class NetworkMetricForm(forms.ModelForm):
    class Meta:
        model = MetricDefinition
        fields = ["name", "unit", "direction", "aggregation", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class MeasurementForm(forms.Form):
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=MetricDefinition.objects.none())
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    measured_on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, metrics=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = (
            metrics if metrics is not None else MetricDefinition.objects.none()
        )
        self.fields["measured_on"].initial = today or timezone.localdate()
