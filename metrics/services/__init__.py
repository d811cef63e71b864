"""Writes for impact metrics, actions and measurements, every one carrying a rule.

- values.py: what a typed value, an entry's day and a target may be
- definitions.py: a group's metrics (define, change, archive, copy to a spin-out)
- entries.py: logging, correcting, deleting and restoring actions and measurements
- network.py: metrics shared across a network and the leaderboard's opt-out
"""

from metrics.services.definitions import (
    METRIC_FIELDS,
    METRICS_DENIED,
    NAME_MAX,
    UNIT_MAX,
    copy_metrics_to_spin_out,
    metric_archive,
    metric_define,
    metric_update,
)
from metrics.services.entries import (
    ACTION_FIELDS,
    ACTION_RESTORE_GRACE,
    CLIENT_KEY,
    EDIT_DENIED,
    Impact,
    action_delete,
    action_log,
    action_restorable,
    action_restore,
    action_update,
    measurement_delete,
    measurement_log,
)
from metrics.services.network import group_ranking_set, metric_adopt, network_metric_define
from metrics.services.values import (
    ENTRY_HISTORY_DAYS,
    MAX_ABS_VALUE,
    check_entry_day,
    check_target,
    check_value_sign,
    parse_value,
)

__all__ = [
    "ACTION_FIELDS",
    "ACTION_RESTORE_GRACE",
    "CLIENT_KEY",
    "EDIT_DENIED",
    "ENTRY_HISTORY_DAYS",
    "MAX_ABS_VALUE",
    "METRICS_DENIED",
    "METRIC_FIELDS",
    "NAME_MAX",
    "UNIT_MAX",
    "Impact",
    "action_delete",
    "action_log",
    "action_restorable",
    "action_restore",
    "action_update",
    "check_entry_day",
    "check_target",
    "check_value_sign",
    "copy_metrics_to_spin_out",
    "group_ranking_set",
    "measurement_delete",
    "measurement_log",
    "metric_adopt",
    "metric_archive",
    "metric_define",
    "metric_update",
    "network_metric_define",
    "parse_value",
]
