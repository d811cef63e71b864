"""Pages for metrics, actions and measurements.

- log.py: the quick log, correcting, deleting and restoring actions, measurements
- dashboards.py: a group's impact, my week, CSV exports
- exports.py: the zips of my data and of a network
- definitions.py: a group's metrics, shared network metrics and the leaderboard
"""

from metrics.views.dashboards import group_export, group_impact, member_week, my_export
from metrics.views.definitions import (
    group_ranking,
    metric_adopt,
    metric_archive,
    metric_edit,
    metric_list,
    network_leaderboard,
)
from metrics.views.exports import my_data_export, network_export
from metrics.views.log import (
    action_create,
    action_delete,
    action_edit,
    action_form_for,
    action_restore,
    measurement_create,
    quick_log_fields,
)

__all__ = [
    "action_create",
    "action_delete",
    "action_edit",
    "action_form_for",
    "action_restore",
    "group_export",
    "group_impact",
    "group_ranking",
    "measurement_create",
    "member_week",
    "metric_adopt",
    "metric_archive",
    "metric_edit",
    "metric_list",
    "my_data_export",
    "my_export",
    "network_export",
    "network_leaderboard",
    "quick_log_fields",
]
