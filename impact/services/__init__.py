"""Writes for accounts and the notification outbox.

- accounts.py: profile, email preferences and unsubscribing, deleting an account
- outbox.py: notify: one outbox row per message with a dedupe key, handed to Celery after commit
- delivery.py: sending the outbox's email rows, with claims, retries and a final failure
"""

from impact.services.accounts import (
    ACCOUNT_DELETION_HOOKS,
    UNSUBSCRIBE_SALT,
    account_delete,
    email_preferences_set,
    email_unsubscribe,
    email_unsubscribe_check,
    email_unsubscribe_token,
    register_account_deletion_hook,
    user_language_set,
    user_update_profile,
)
from impact.services.delivery import (
    TRANSIENT_ERRORS,
    absolute_url,
    build_email,
    notification_deliver,
    notifications_deliver_batch,
)
from impact.services.outbox import (
    DISPATCH_BATCH,
    Message,
    notifications_mark_read,
    notifications_retry,
    notify,
    notify_address,
    notify_each,
    outbox_dispatch,
    outbox_key,
    outbox_keys_taken,
    outbox_sweep,
)

__all__ = [
    "ACCOUNT_DELETION_HOOKS",
    "DISPATCH_BATCH",
    "TRANSIENT_ERRORS",
    "UNSUBSCRIBE_SALT",
    "Message",
    "absolute_url",
    "account_delete",
    "build_email",
    "email_preferences_set",
    "email_unsubscribe",
    "email_unsubscribe_check",
    "email_unsubscribe_token",
    "notification_deliver",
    "notifications_deliver_batch",
    "notifications_mark_read",
    "notifications_retry",
    "notify",
    "notify_address",
    "notify_each",
    "outbox_dispatch",
    "outbox_key",
    "outbox_keys_taken",
    "outbox_sweep",
    "register_account_deletion_hook",
    "user_language_set",
    "user_update_profile",
]
