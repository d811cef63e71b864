"""Drop four single-column foreign-key indexes that the (group, day), (user, day) and
(metric, day) indexes already serve: every logged action wrote five indexes, now three.

Django's own AlterField would drop and re-add each foreign-key constraint around its index,
re-checking every row while it locks the tables on both sides (users and groups too). Here the
model state changes alone, and the indexes are dropped concurrently on PostgreSQL, which takes
no lock that stops reads or writes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from impact.db_indexes import concurrently

# Django's names for these indexes: the same on every database its migrations created.
INDEXES = {
    "metrics_action_group_id_501a0a13": ("metrics_action", "group_id"),
    "metrics_action_user_id_a01f842f": ("metrics_action", "user_id"),
    "metrics_measurement_group_id_a193df46": ("metrics_measurement", "group_id"),
    "metrics_measurement_metric_id_24fcec65": ("metrics_measurement", "metric_id"),
}


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(
            f"DROP INDEX{concurrently(schema_editor)} IF EXISTS {schema_editor.quote_name(name)}"
        )


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX{concurrently(schema_editor)} IF NOT EXISTS {quote(name)} "
            f"ON {quote(table)} ({quote(column)})"
        )


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("groups", "0004_auditevent"),
        ("metrics", "0003_action_initiative"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="action",
                    name="group",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actions",
                        to="groups.group",
                    ),
                ),
                migrations.AlterField(
                    model_name="action",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="group",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measurements",
                        to="groups.group",
                    ),
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="metric",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measurements",
                        to="metrics.metricdefinition",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        )
    ]
