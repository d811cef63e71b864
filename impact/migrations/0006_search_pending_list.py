"""The search indexes keep a short pending list (gin_pending_list_limit = 64 kB, the least).

A GIN index puts new rows on a pending list and folds them into the index in batches, and
every search reads the whole list, row by row. At the default limit (4 MB) a table people
write to all day, such as actions, carried some 50,000 pending rows between vacuums and each
search spent about 7 ms reading them; at 64 kB it reads a few pages, and an insert now and
then folds the list in. The lists the indexes hold now are folded in here."""

from django.db import migrations

LIMIT_KB = 64


def _search_indexes(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
            "WHERE c.relkind = 'i' AND a.amname = 'gin' AND c.relname LIKE %s "
            "ORDER BY c.relname",
            [r"search\_%\_idx"],
        )
        return [name for (name,) in cursor.fetchall()]


def shorten(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _search_indexes(schema_editor):
        schema_editor.execute(f'ALTER INDEX "{name}" SET (gin_pending_list_limit = {LIMIT_KB})')
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _search_indexes(schema_editor):
        schema_editor.execute(f'ALTER INDEX "{name}" RESET (gin_pending_list_limit)')


class Migration(migrations.Migration):
    # Each index's change commits alone: a lock taken on one is not held while the others'
    # pending lists are folded in.
    atomic = False

    dependencies = [("impact", "0005_notification_language")]

    operations = [migrations.RunPython(shorten, restore, elidable=False)]
