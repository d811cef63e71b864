from django import forms
from django.utils.translation import gettext_lazy as _

from groups.meetings.models import WEEKDAYS, MeetingResponse, Reflection
from impact.models import time_zone_choices

PULSE_CHOICES = [("", _("No answer")), *((str(n), str(n)) for n in range(1, 6))]


class CadenceForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=_("Meets on"),
        choices=[(str(n), label) for n, label in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("Starts at (local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Place or video link"), max_length=300, required=False)
    reminder_offsets = forms.CharField(
        label=_("Reminders (minutes before)"),
        initial="1440,60",
        max_length=50,
        help_text=_("Comma separated: 1440 is a day before, 60 an hour before."),
    )
    prompt_hours_before = forms.IntegerField(
        label=_("Reflection prompt (hours before)"), min_value=1, max_value=168, initial=48
    )


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts (your time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Place or video link"), max_length=300, required=False)
    is_reflection = forms.BooleanField(label=_("This is a reflection session"), required=False)


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New start (your time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(choices=MeetingResponse.Rsvp.choices)


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = Reflection
        fields = [
            "impact_achieved",
            "learned",
            "new_questions",
            "need_help",
            "excited",
            "stuck",
            "trust_humility",
            "trust_values",
            "trust_commitment",
            "trust_excitement",
            "share_pulse",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["impact_achieved", "learned", "new_questions", "need_help"]
        } | {name: forms.Select(choices=PULSE_CHOICES) for name in Reflection.PULSE_FIELDS}


class SessionNotesForm(forms.Form):
    achieved = forms.CharField(
        label=_("What we achieved"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    learnings = forms.CharField(
        label=_("What we learned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class NextActionForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    description = forms.CharField(label=_("Next action"), max_length=200)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        from impact.models import User

        self.fields["owner"].queryset = User.objects.filter(pk__in=[m.pk for m in members or []])
        self.fields["owner"].label_from_instance = lambda u: u.public_name


class SessionQuestionForm(forms.Form):
    text = forms.CharField(label=_("New powerful question"), max_length=300)
