"""Pages for narratives, powerful questions, initiatives and requests for help.

- narratives.py: a network's narrative, writing and adopting narratives
- questions.py: the questions board, a group's questions, a question and its answers
- initiatives.py: a group's initiatives
- help.py: requests for help
"""

from narratives.views.help import help_action, help_detail, help_list
from narratives.views.initiatives import initiative_detail, initiative_status, initiatives
from narratives.views.narratives import (
    narrative_adopt,
    narrative_create,
    narrative_detail,
    narrative_edit,
    narrative_question,
    narrative_status,
    network_narrative,
)
from narratives.views.questions import (
    answer_helpful,
    group_questions,
    question_answered,
    question_detail,
    question_pose,
    questions_board,
)

__all__ = [
    "answer_helpful",
    "group_questions",
    "help_action",
    "help_detail",
    "help_list",
    "initiative_detail",
    "initiative_status",
    "initiatives",
    "narrative_adopt",
    "narrative_create",
    "narrative_detail",
    "narrative_edit",
    "narrative_question",
    "narrative_status",
    "network_narrative",
    "question_answered",
    "question_detail",
    "question_pose",
    "questions_board",
]
