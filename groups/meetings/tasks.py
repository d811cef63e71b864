"""Beat jobs for meetings: thin wrappers around idempotent services."""

from celery import shared_task

from groups.meetings import services


@shared_task
def fill_meeting_schedule() -> int:
    return services.schedule_fill()


@shared_task
def send_meeting_reminders() -> int:
    return services.reminders_send()


@shared_task
def send_reflection_prompts() -> int:
    return services.prompts_send()


@shared_task
def send_moderator_digest() -> int:
    return services.digest_send()
