"""What each kind of thing is searched by: its table, its words, and the one SQL expression
that both the indexes (migration 0004_search) and the queries are built from, so that the
planner can use the index (a test compares them through EXPLAIN)."""

from dataclasses import dataclass

# The site's languages and the text search configuration of each: the language's stemmer with
# accents folded first (unaccent), created by the migration. Anything else searches as English.
CONFIGS = {"en": "impact_en", "de": "impact_de", "es": "impact_es"}
DEFAULT_CONFIG = "impact_en"


@dataclass(frozen=True)
class Document:
    table: str
    title: tuple[str, ...]  # columns shown as the result's title
    body: tuple[str, ...]  # columns its snippet comes from
    # A column the index leads with (btree_gin): rows are found per group, so a word that is in
    # 100,000 actions costs only the person's groups' share of them.
    lead: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.title + self.body


DOCUMENTS: dict[str, Document] = {
    "network": Document("groups_network", ("name",), ("description",)),
    "group": Document("groups_group", ("name",), ("purpose",)),
    "narrative": Document(
        "narratives_narrative", ("title",), ("opportunity", "why_now", "call_to_action")
    ),
    "question": Document("narratives_question", ("text",), ("details",)),
    "answer": Document("narratives_answer", (), ("body",)),
    "help": Document("narratives_helprequest", ("summary",), ("details",), lead="group_id"),
    "initiative": Document("narratives_initiative", ("title",), ("description",), lead="group_id"),
    "action": Document("metrics_action", ("description",), ("notes",), lead="group_id"),
    "session": Document(
        "groups_session", (), ("summary", "achieved", "learnings"), lead="group_id"
    ),
}


def text_sql(columns: tuple[str, ...], table: str | None = None) -> str:
    """The columns as one text (NULLs as empty), optionally qualified by their table."""
    prefix = f'"{table}".' if table else ""
    return " || ' ' || ".join(f"coalesce({prefix}\"{column}\", '')" for column in columns)


def vector_sql(document: Document, config: str, *, qualified: bool = False) -> str:
    """to_tsvector over the document's columns with a fixed configuration: the expression
    its index holds (a configuration given as a constant keeps it immutable)."""
    table = document.table if qualified else None
    return f"to_tsvector('{config}'::regconfig, {text_sql(document.columns, table)})"


def index_name(kind: str, config: str) -> str:
    return f"search_{kind}_{config.removeprefix('impact_')}_idx"
