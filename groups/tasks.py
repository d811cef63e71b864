# Celery's autodiscovery imports <app>.tasks: the meeting jobs live in groups/meetings/.
from groups.meetings.tasks import (  # noqa: F401
    fill_meeting_schedule,
    send_meeting_reminders,
    send_moderator_digest,
    send_reflection_prompts,
)
from groups.webhooks.tasks import (  # noqa: F401
    deliver_webhook,
    prune_webhook_log,
    sweep_webhooks,
)
