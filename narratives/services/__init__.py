"""Writes for narratives, powerful questions, initiatives and requests for help.

- narratives.py: opportunity narratives and their adoption by groups
- questions.py: powerful questions and their answers
- initiatives.py: a group's initiatives (at most three active)
- help.py: requests for help, to the group and on to the network
"""

from narratives.services.help import (
    help_raise_to_network,
    help_request_create,
    help_resolve,
    help_respond,
)
from narratives.services.initiatives import add_months, initiative_create, initiative_set_status
from narratives.services.narratives import (
    FEAR_WORDS,
    NARRATIVE_FIELDS,
    copy_narrative_to_spin_out,
    fear_words,
    narrative_adopt,
    narrative_create,
    narrative_set_status,
    narrative_update,
)
from narratives.services.questions import (
    answer_create,
    answer_mark_helpful,
    question_ask,
    question_mark_answered,
    question_pose_to_network,
)

__all__ = [
    "FEAR_WORDS",
    "NARRATIVE_FIELDS",
    "add_months",
    "answer_create",
    "answer_mark_helpful",
    "copy_narrative_to_spin_out",
    "fear_words",
    "help_raise_to_network",
    "help_request_create",
    "help_resolve",
    "help_respond",
    "initiative_create",
    "initiative_set_status",
    "narrative_adopt",
    "narrative_create",
    "narrative_set_status",
    "narrative_update",
    "question_ask",
    "question_mark_answered",
    "question_pose_to_network",
]
