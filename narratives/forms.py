from django import forms
from django.utils.translation import gettext_lazy as _

from narratives.models import HelpRequest, Initiative, Narrative, Question


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = Narrative
        fields = ["title", "horizon_year", "opportunity", "why_now", "call_to_action"]
        widgets = {
            "opportunity": forms.Textarea(attrs={"rows": 6}),
            "why_now": forms.Textarea(attrs={"rows": 3}),
            "call_to_action": forms.Textarea(attrs={"rows": 3}),
        }


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "details", "posed_to_network"]
        labels = {"text": _("Your powerful question")}
        widgets = {
            "text": forms.TextInput(attrs={"placeholder": _("What would it take to …?")}),
            "details": forms.Textarea(attrs={"rows": 3}),
        }


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class FollowUpForm(forms.Form):
    follow_ups = forms.CharField(
        label=_("Which new questions did it raise? (one per line, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "description", "impact", "speed", "starts_on", "ends_on", "metrics"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.RadioSelect,
            "speed": forms.RadioSelect,
            "metrics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        from metrics.models import MetricDefinition

        self.fields["metrics"].queryset = MetricDefinition.objects.filter(
            group=group, archived_at__isnull=True
        )
        self.fields["metrics"].required = False


class HelpRequestForm(forms.ModelForm):
    class Meta:
        model = HelpRequest
        fields = ["summary", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}


class ResponseForm(forms.Form):
    body = forms.CharField(
        label=_("Your response"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
