from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.models import GROUP_HARD_CAP, GROUP_MIN_CAPACITY, Group
from groups.services.membership import REMOVAL_REASON_MAX_LENGTH


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("The opportunity it shares"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("The big opportunity its groups act on together."),
    )
    is_public = forms.BooleanField(
        label=_("Public: anyone signed in can find it and join its open groups"),
        required=False,
        initial=True,
    )


class GroupFieldsForm(forms.Form):
    """A group's own settings: what a new group starts with and its moderators change later."""

    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this group acts on together, in a sentence or two."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=GROUP_MIN_CAPACITY,
        max_value=GROUP_HARD_CAP,
        initial=GROUP_HARD_CAP,
        help_text=_("At most 15: trust thins out in bigger groups."),
    )
    join_policy = forms.ChoiceField(
        label=_("Who can join"),
        choices=Group.JoinPolicy.choices,
        initial=Group.JoinPolicy.OPEN,
        widget=forms.RadioSelect,
    )


class GroupForm(GroupFieldsForm):
    moderator = forms.ModelChoiceField(
        label=_("Moderator"), queryset=None, required=False, empty_label=_("Appoint one later")
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderator"].queryset = people


class GroupSettingsForm(GroupFieldsForm):
    """The settings page's group fields (the capacity's floor, the member count, is the
    service's rule: its message shows beside the field)."""

    def __init__(self, *args, group: Group, size: int, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": group.name,
                "purpose": group.purpose,
                "capacity": group.capacity,
                "join_policy": group.join_policy,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["capacity"].help_text = ngettext(
            "At most 15, and no fewer than the %(n)d member the group has.",
            "At most 15, and no fewer than the %(n)d members the group has.",
            size,
        ) % {"n": size}


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=REMOVAL_REASON_MAX_LENGTH,
        help_text=_("They are told they were removed, with this reason if you give one."),
    )


class JoinForm(forms.Form):
    statement = forms.CharField(
        label=_("Why do you want to join?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        help_text=_("What excites you about this group's opportunity, and what you will bring."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    message = forms.CharField(
        label=_("Personal message"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )


class SpinOutForm(forms.Form):
    name = forms.CharField(label=_("Name of the new group"), max_length=120)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Leave empty to start from the parent group's purpose."),
    )
    moderator = forms.ModelChoiceField(
        label=_("Moderator of the new group"),
        queryset=None,
        help_text=_("Often a member of this group, who thereby becomes a leader."),
    )
    move = forms.MultipleChoiceField(
        label=_("Members who move to the new group"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    take_waitlist = forms.BooleanField(
        label=_("Bring the waitlist along, in order, up to 15 people"), required=False, initial=True
    )

    def __init__(self, *args, parent: Group, members, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderator"].queryset = people
        self.fields["moderator"].label_from_instance = lambda u: u.public_name
        self.fields["move"].choices = [(str(m.user_id), m.user.public_name) for m in members]
