"""Indexes on the webhook log's ages: the hourly pruning (webhook_prune_log) reads deliveries
and events older than WEBHOOK_LOG_DAYS, which read every row of both tables without them.

Built concurrently on PostgreSQL, which takes no lock that stops deliveries while the tables
are indexed."""

from django.db import migrations, models

from impact.db_indexes import concurrently, drop_if_invalid

INDEXES = {
    "webhook_delivery_created_idx": "groups_webhookdelivery",
    "webhook_event_created_idx": "groups_webhookevent",
}


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name, table in INDEXES.items():
        if schema_editor.connection.vendor == "postgresql":
            drop_if_invalid(schema_editor, name)
        schema_editor.execute(
            f"CREATE INDEX{concurrently(schema_editor)} IF NOT EXISTS {quote(name)} "
            f"ON {quote(table)} ({quote('created_at')})"
        )


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(
            f"DROP INDEX{concurrently(schema_editor)} IF EXISTS {schema_editor.quote_name(name)}"
        )


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("groups", "0011_auditevent_person"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="webhookevent",
                    index=models.Index(fields=["created_at"], name="webhook_event_created_idx"),
                ),
                migrations.AddIndex(
                    model_name="webhookdelivery",
                    index=models.Index(fields=["created_at"], name="webhook_delivery_created_idx"),
                ),
            ],
            database_operations=[migrations.RunPython(create_indexes, drop_indexes)],
        ),
    ]
