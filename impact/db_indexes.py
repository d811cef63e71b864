"""Index building steps shared by migrations that build or drop indexes concurrently on
PostgreSQL (so no lock stops writes on a large table). Migrations run these as they are:
change what one does only in a way every migration that calls it still wants."""


def concurrently(schema_editor) -> str:
    """ " CONCURRENTLY" where the database can build or drop an index without a write lock."""
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def drop_if_invalid(schema_editor, name: str, *, concurrently: bool = True) -> None:
    """A concurrent build that failed leaves its index behind marked invalid, which IF NOT
    EXISTS would then skip for good: such a leftover is dropped, so running again builds it.
    PostgreSQL only."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            [name],
        )
        row = cursor.fetchone()
    if row and row[0]:
        how = " CONCURRENTLY" if concurrently else ""
        schema_editor.execute(f"DROP INDEX{how} IF EXISTS {schema_editor.quote_name(name)}")
