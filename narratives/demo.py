"""Demo narrative, questions with answers, initiatives in all four quadrants and a help request."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from groups.demo import DEMO_NETWORK, horizon_year
from groups.models import Group, Membership, Network
from impact.models import User
from narratives import services
from narratives.models import HelpRequest, Initiative, Narrative, Question

NARRATIVE = {
    "title": "Living rivers, shared power, food on every corner",
    "opportunity": (
        "By **{year}** our neighbourhoods could run on energy we share, along rivers full of "
        "life, with food growing on land that now lies empty. Every street could have people "
        "who know how to make this happen and who teach the next street."
    ),
    "why_now": (
        "Panels, tools and know-how have never been this cheap and this close at hand, and more "
        "of our neighbours want to take part than ever before."
    ),
    "call_to_action": (
        "Join a group near you, log what you do every week, and ask the questions you cannot "
        "answer alone. Bring one neighbour to your next action."
    ),
}

QUESTIONS = [
    "What would it take for every street to have a group like ours?",
    "How do we measure the life coming back to a river, month by month?",
]


# Questions other groups pose to the network, left open: the demo member (in the first group)
# finds them on the network's questions board and can answer them.
POSED = [
    # group, asked by its moderator or first member, text, details
    (
        "Solar Neighbours",
        "member",
        "What would it take to get a whole street onto one installer, at one price?",
        "Six of us are ready, but every quote comes back different and people lose heart.",
    ),
    (
        "Food Commons",
        "moderator",
        "How did your group get permission to use public land?",
        "We have found three empty plots; we don't know whom to ask first.",
    ),
]


def _moderator(group: Group) -> User | None:
    membership = (
        Membership.objects.active()
        .filter(group=group, role="moderator")
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def seed_narratives(users: dict[str, User]) -> None:
    """Idempotent: each piece is created only when its title is not there yet."""
    network = Network.objects.filter(name=DEMO_NETWORK).first()
    if network is None:
        return
    today = timezone.localdate()
    narrative = Narrative.objects.filter(network=network, title=NARRATIVE["title"]).first()
    if narrative is None:
        # The network's own description names the same year: one opportunity, one horizon.
        year = horizon_year(network)
        fields = dict(NARRATIVE, opportunity=NARRATIVE["opportunity"].format(year=year))
        narrative = services.narrative_create(
            actor=users["organizer"], network=network, horizon_year=year, **fields
        )
        services.narrative_set_status(
            actor=users["organizer"], narrative=narrative, status="published"
        )
        for text in QUESTIONS:
            services.question_ask(actor=users["organizer"], narrative=narrative, text=text)

    river = Group.objects.filter(network=network, name="Riverbank Restorers").first()
    solar = Group.objects.filter(network=network, name="Solar Neighbours").first()
    if river is None or solar is None:
        return
    posed_text = "Which native trees survive a flood season best?"
    if not Question.objects.filter(group=river, text=posed_text).exists():
        question = services.question_ask(
            actor=users["member"],
            group=river,
            text=posed_text,
            posed_to_network=True,
            details="We lost a third of last year's saplings when the river rose.",
        )
        solar_member = (
            Membership.objects.active()
            .filter(group=solar, role="member")
            .select_related("user")
            .first()
        )
        if solar_member:
            answer = services.answer_create(
                actor=solar_member.user,
                question=question,
                body="Willows and alders: they root fast and like wet feet. Plant them nearest the water.",
            )
            services.answer_mark_helpful(actor=users["member"], answer=answer)
            services.answer_create(
                actor=_moderator(solar),
                question=question,
                body="Ask the city's parks team: they keep records of what survived in 2021.",
            )

    _pose_other_groups_questions(network)

    if not Initiative.objects.filter(group=river).exists():
        moderator = _moderator(river)
        plans = [
            ("Plant 300 willows along the east bank", "high", "fast", "active"),
            ("Get the river declared a protected area", "high", "slow", "active"),
            ("Monthly litter picks with the school", "low", "fast", "active"),
            ("A booklet on the river's history", "low", "slow", "proposed"),
        ]
        for title, impact, speed, status in plans:
            services.initiative_create(
                actor=moderator,
                group=river,
                title=title,
                impact=impact,
                speed=speed,
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=270),
                status=status,
            )

    help_text = "How do I get permission to plant on the council's land?"
    if not HelpRequest.objects.filter(group=river, summary=help_text).exists():
        request = services.help_request_create(
            actor=users["member"],
            group=river,
            summary=help_text,
            details="I have 40 saplings ready and nowhere official to put them.",
        )
        services.help_respond(
            actor=users["moderator"],
            help_request=request,
            body="I did this last spring: write to the parks office, I'll share my letter.",
        )


def _pose_other_groups_questions(network: Network) -> None:
    """Each other group's open question to the network (once: by its text)."""
    for group_name, role, text, details in POSED:
        group = Group.objects.filter(network=network, name=group_name).first()
        if group is None or Question.objects.filter(group=group, text=text).exists():
            continue
        asker = (
            Membership.objects.active()
            .filter(group=group, role=role)
            .select_related("user")
            .order_by("joined_at", "id")
            .first()
        )
        if asker is not None:
            services.question_ask(
                actor=asker.user, group=group, text=text, posed_to_network=True, details=details
            )
