"""Full-text search (issue #20): text search configurations for the site's languages, with
accents folded before the stemmer, and one GIN expression index per searched table and
language. PostgreSQL keeps the indexes up to date itself, inside each write's transaction, so
no service changes. Indexes on tables with a group lead with group_id (btree_gin): a word in a
hundred thousand actions is looked up within the person's groups only.

Indexes are built concurrently (no lock that stops writes while a large table is indexed).
The definitions are frozen here; impact/search/documents.py builds the same expressions for
the queries, and tests/search compares them through EXPLAIN. On SQLite this does nothing."""

from django.db import migrations

from impact.db_indexes import drop_if_invalid

CONFIGS = {"impact_en": "english", "impact_de": "german", "impact_es": "spanish"}

# kind: (table, leading column or None, columns in document order)
DOCUMENTS = {
    "network": ("groups_network", None, ("name", "description")),
    "group": ("groups_group", None, ("name", "purpose")),
    "narrative": (
        "narratives_narrative",
        None,
        ("title", "opportunity", "why_now", "call_to_action"),
    ),
    "question": ("narratives_question", None, ("text", "details")),
    "answer": ("narratives_answer", None, ("body",)),
    "help": ("narratives_helprequest", "group_id", ("summary", "details")),
    "initiative": ("narratives_initiative", "group_id", ("title", "description")),
    "action": ("metrics_action", "group_id", ("description", "notes")),
    "session": ("groups_session", "group_id", ("summary", "achieved", "learnings")),
}


def _vector(config, columns):
    text = " || ' ' || ".join(f"coalesce(\"{column}\", '')" for column in columns)
    return f"to_tsvector('{config}'::regconfig, {text})"


def _name(kind, config):
    return f"search_{kind}_{config.removeprefix('impact_')}_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("CREATE EXTENSION IF NOT EXISTS unaccent")
    run("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for config, base in CONFIGS.items():
        run(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config} CASCADE")
        run(f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = {base})")
        # Words with letters outside ASCII lose their accents before stemming; plain ASCII words
        # have none to lose. A query goes through the same configuration.
        run(
            f"ALTER TEXT SEARCH CONFIGURATION {config} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {base}_stem"
        )
    for kind, (table, lead, columns) in DOCUMENTS.items():
        for config in CONFIGS:
            first = f'"{lead}", ' if lead else ""
            drop_if_invalid(schema_editor, _name(kind, config))
            run(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{_name(kind, config)}" '
                f'ON "{table}" USING gin ({first}({_vector(config, columns)}))'
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for kind in DOCUMENTS:
        for config in CONFIGS:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{_name(kind, config)}"')
    for config in CONFIGS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("impact", "0003_user_language"),
        ("groups", "0009_meeting_sequence"),
        ("metrics", "0007_client_key"),
        ("narratives", "0003_narrative_language"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
