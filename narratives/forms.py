from django import forms
from django.utils.translation import gettext_lazy as _

from impact.forms import DayInput
from narratives.models import (
    HelpRequest,
    Initiative,
    Narrative,
    Question,
    current_writing_language,
)


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = Narrative
        fields = ["title", "horizon_year", "opportunity", "why_now", "call_to_action", "language"]
        widgets = {
            "opportunity": forms.Textarea(attrs={"rows": 6}),
            "why_now": forms.Textarea(attrs={"rows": 3}),
            "call_to_action": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        # A new narrative starts in the language the writer uses the site in, picked now
        # (not when the form class was made), and with no hidden copy of that first pick.
        language.show_hidden_initial = False
        if self.instance.pk is None:
            language.initial = current_writing_language()
        # A post without it (an older page, a script) keeps the language as it is.
        language.required = False

    def clean_language(self) -> str:
        chosen = self.cleaned_data.get("language")
        if chosen:
            return chosen
        return self.instance.language if self.instance.pk else current_writing_language()


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
            "starts_on": DayInput(),
            "ends_on": DayInput(),
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
