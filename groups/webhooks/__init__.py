"""Outgoing chat webhooks: a group's moderators or a network's organizers post its events
(session summaries, powerful questions, help raised to the network, spin-outs, new members)
to Slack, Mattermost, Matrix, Discord or any endpoint that takes signed JSON.

- models.py: the hook, the event, one delivery per (event, hook), each attempt logged
- services.py: adding and changing hooks, and `webhook_event`, which the services call
- addresses.py: which URLs may be called (public addresses only, after DNS, pinned)
- delivery.py: claiming and sending a delivery, retries, disabling a failing hook
- formats.py: each chat's message body and the generic signed JSON
- views.py, forms.py, urls.py, tasks.py: the pages and the Celery jobs
"""
