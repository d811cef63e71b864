"""An index for the action list API's order within a group (newest logged first): a page of a
group with 50,000 actions is read from the index instead of sorting them all.

Built concurrently on PostgreSQL, which takes no lock that stops reads or writes while a large
table is indexed (a plain CREATE INDEX would hold up every logged action until it is done)."""

from django.db import migrations, models

from impact.db_indexes import concurrently

NAME = "action_group_logged_idx"


def create_index(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX{concurrently(schema_editor)} IF NOT EXISTS {quote(NAME)} "
        f"ON {quote('metrics_action')} ({quote('group_id')}, {quote('created_at')} DESC, "
        f"{quote('id')} DESC)"
    )


def drop_index(apps, schema_editor):
    schema_editor.execute(
        f"DROP INDEX{concurrently(schema_editor)} IF EXISTS {schema_editor.quote_name(NAME)}"
    )


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("metrics", "0005_metric_allow_negative_constraint_messages"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="action",
                    index=models.Index(fields=["group", "-created_at", "-id"], name=NAME),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
