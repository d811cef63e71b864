from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.meetings.models import WEEKDAYS, Cadence, MeetingResponse, Reflection
from groups.models import Group
from impact.forms import DayInput, MomentInput, TimeZoneField
from impact.models import User, common_time_zone_choices

# The reminders a moderator picks from, in minutes before the meeting (the API keeps taking
# any offset from MIN_REMINDER_OFFSET to a week).
REMINDER_CHOICES = [
    (10080, _("1 week before")),
    (1440, _("1 day before")),
    (120, _("2 hours before")),
    (60, _("1 hour before")),
    (15, _("15 minutes before")),
]


def offset_label(minutes: int) -> str:
    """A reminder offset in words: "1 day before", "90 minutes before"."""
    for value, label in REMINDER_CHOICES:
        if value == minutes:
            return str(label)
    if minutes % 1440 == 0:
        n = minutes // 1440
        return ngettext("%(n)d day before", "%(n)d days before", n) % {"n": n}
    if minutes % 60 == 0:
        n = minutes // 60
        return ngettext("%(n)d hour before", "%(n)d hours before", n) % {"n": n}
    return ngettext("%(n)d minute before", "%(n)d minutes before", minutes) % {"n": minutes}


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
    time_zone = TimeZoneField(label=_("Time zone"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Place or video link"), max_length=300, required=False)
    reminder_offsets = forms.TypedMultipleChoiceField(
        label=_("Remind members"),
        coerce=int,
        choices=REMINDER_CHOICES,
        initial=[1440, 60],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one reminder.")},
    )
    prompt_hours_before = forms.IntegerField(
        label=_("Reflection prompt (hours before)"), min_value=1, max_value=168, initial=48
    )

    def __init__(self, *args, cadence: Cadence | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A saved zone the list no longer offers (an old alias) stays the one chosen.
        self.fields["time_zone"].choices = common_time_zone_choices(self.initial.get("time_zone"))
        # An offset set through the API that the list does not offer stays a choice, ticked,
        # so saving this form never drops it unseen.
        offered = {minutes for minutes, _label in REMINDER_CHOICES}
        offsets = cadence.offsets if cadence is not None else []
        extra = [(m, offset_label(m)) for m in offsets if m not in offered]
        if extra:
            self.fields["reminder_offsets"].choices = sorted(
                [*REMINDER_CHOICES, *extra], key=lambda choice: -choice[0]
            )

    @classmethod
    def for_group(cls, group: Group, user: User, data=None, **kwargs) -> "CadenceForm":
        """The form for a group's cadence as it stands (a new one in the person's time zone)."""
        cadence = getattr(group, "cadence", None)  # cached on the group, for the page's use
        initial = {"time_zone": user.time_zone}
        if cadence is not None:
            initial = {
                "weekdays": [str(d) for d in cadence.weekday_list],
                "start_time": cadence.start_time,
                "time_zone": cadence.time_zone,
                "duration_minutes": cadence.duration_minutes,
                "location": cadence.location,
                "reminder_offsets": cadence.offsets,
                "prompt_hours_before": cadence.prompt_hours_before,
            }
        return cls(data, initial=initial, cadence=cadence, **kwargs)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts (your time)"),
        widget=MomentInput(),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Place or video link"), max_length=300, required=False)
    is_reflection = forms.BooleanField(label=_("This is a reflection session"), required=False)


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New start (your time)"),
        widget=MomentInput(),
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


MARKDOWN_HELP = _("Markdown works (**bold**, lists, links).")


class SessionNotesForm(forms.Form):
    achieved = forms.CharField(
        label=_("What we achieved"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=MARKDOWN_HELP,
    )
    learnings = forms.CharField(
        label=_("What we learned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=MARKDOWN_HELP,
    )


class NextActionForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    description = forms.CharField(label=_("Next action"), max_length=200)
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=DayInput(),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        from impact.models import User

        self.fields["owner"].queryset = User.objects.filter(pk__in=[m.pk for m in members or []])
        self.fields["owner"].label_from_instance = lambda u: u.public_name


class SessionQuestionForm(forms.Form):
    text = forms.CharField(label=_("New powerful question"), max_length=300)
