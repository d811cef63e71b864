"""The search's queries are answered from the GIN expression indexes (PostgreSQL only): the
query builds the very expression each index holds (migration impact 0004_search)."""

import importlib

import pytest
from django.db import connection

from impact.search.documents import CONFIGS, index_name
from impact.search.selectors import KINDS, Search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL full-text search"),
]


def plan(sql: str, params: list, table: str, index: str) -> str:
    with connection.cursor() as cursor:
        # The test tables hold a few rows, where a sequential scan (or the group_id btree) is
        # cheaper; forbidding the one and dropping the others inside the test's transaction
        # shows whether the search index can answer the query at all, which is tested here.
        # The other languages' search indexes go too: each leads with the group, so on a few
        # rows the planner may take any of them for the group alone. (On the benchmark's
        # large data the planner picks the language's own by itself.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT i.indexname FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.indexname <> %s AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table, index],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("language", list(CONFIGS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kinds_matches_are_read_through_its_index(cast, items, kind, language):
    search = Search(user=cast["organizer"], q="zephyrwatch walk", language=language)
    sql, params = search.matches(kind).values("pk").query.sql_with_params()

    index = index_name(kind, CONFIGS[language])
    assert index in plan(sql, list(params), KINDS[kind].document.table, index)


def test_the_indexes_fold_accents_and_stem(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('impact_de', 'Vogelzählungen'), to_tsvector('impact_es', "
            "'canción'), to_tsvector('impact_en', 'walking')"
        )
        german, spanish, english = cursor.fetchone()
    assert german == "'vogelzahl':1"
    assert spanish == "'cancion':1"
    assert english == "'walk':1"


def test_a_prepared_statement_the_connection_lost_is_prepared_again(cast, items):
    first = Search(user=cast["member"], q="zephyrwatch").counts
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a connection pooler's DISCARD ALL would

    assert Search(user=cast["member"], q="zephyrwatch").counts == first


def test_a_statement_the_connection_holds_but_this_process_forgot_is_used(cast, items):
    """Behind a transaction-mode pooler a server connection may already hold the statement
    this process never prepared on it: PREPARE would fail, so the second try asks the server."""
    from impact.search import selectors

    first = Search(user=cast["member"], q="zephyrwatch").counts
    selectors._PREPARED.clear()

    assert Search(user=cast["member"], q="zephyrwatch").counts == first


def test_an_index_a_failed_build_left_invalid_is_dropped_to_be_built_again(db):
    """CREATE INDEX CONCURRENTLY IF NOT EXISTS skips an index a failed build left behind
    (invalid): the migration drops such a leftover first."""
    migration = importlib.import_module("impact.migrations.0004_search")
    name = index_name("group", "impact_en")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [name]
        )
        with connection.schema_editor(atomic=False) as editor:
            migration.drop_if_invalid(editor, name, concurrently=False)
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = %s", [name])
        assert cursor.fetchone() == (0,)
    # A valid index is left alone.
    other = index_name("network", "impact_en")
    with connection.schema_editor(atomic=False) as editor:
        migration.drop_if_invalid(editor, other, concurrently=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = %s", [other])
        assert cursor.fetchone() == (1,)


def test_every_search_index_keeps_a_short_pending_list(db):
    """New rows wait on a GIN index's pending list, which every search reads row by row: the
    search indexes fold it in at 64 kB rather than the default 4 MB (migration 0006)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND c.relname LIKE 'search%'"
        )
        options = dict(cursor.fetchall())
    expected = {index_name(kind, config) for kind in KINDS for config in CONFIGS.values()}
    assert options == {name: ["gin_pending_list_limit=64"] for name in expected}
