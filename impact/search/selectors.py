"""Search reads: what a person may read, matched, ranked and highlighted.

Each kind is found through the same rules its own pages and API lists use (groups.permissions,
narratives.permissions), so a count never includes a row the person could not open. On
PostgreSQL a kind's rows match through its GIN expression index (documents.py) and are ranked
by ts_rank; on SQLite every word must appear in one of the kind's columns.
"""

import hashlib
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateField,
    DateTimeField,
    F,
    Field,
    Func,
    Model,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from groups.meetings.models import Session
from groups.models import Group, Network
from groups.permissions import readable_group_ids, visible_networks_q
from impact.compiled import STAND_IN_USER
from impact.links import id_url
from impact.markdown import has_markdown, markdown_words
from impact.models import User
from impact.search.documents import (
    CONFIGS,
    DEFAULT_CONFIG,
    DOCUMENTS,
    Document,
    text_sql,
    vector_sql,
)
from metrics.models import Action
from narratives.models import Answer, HelpRequest, Initiative, Narrative, Question
from narratives.permissions import (
    visible_group_items,
    visible_help_requests,
    visible_narratives,
    visible_questions,
)

MAX_QUERY_LENGTH = 200
RANKED = 200  # a kind's newest matches that are ranked (all are counted)
NO_ID, NO_RANK = "CAST(NULL AS bigint)", "CAST(NULL AS double precision)"
# Markers ts_headline puts around a matched word: control characters, which are taken out of
# the text first, so that after escaping everything only these become <mark> (tests/test_xss).
START, STOP = "\x01", "\x02"
SNIPPET_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=28, MinWords=12, MaxFragments=2"
TITLE_OPTIONS = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"


@dataclass(frozen=True)
class Shown:
    """How a kind's result is shown: paths from its model to what the result names, read in
    the search's own statement (None: the kind has none)."""

    url: Callable[[Any], str]  # its page's URL, from `link`
    link: str = "pk"
    group: str | None = "group_id"  # the group the result links to (the group filter's)
    group_name: str | None = "group__name"
    network_name: str | None = None
    day: str | None = None  # a date field
    at: str | None = "created_at"  # a date-time field
    title: str | None = None  # a plain title, for a kind whose document has none
    label: Any = None  # a fixed title, for a kind with neither


def _page(model: type[Model]) -> Callable[[Any], str]:
    """Its page's URL as the model itself builds it, from the id in the row."""
    return lambda pk: model(pk=pk).get_absolute_url()


def _named(name: str) -> Callable[[Any], str]:
    """A page that is not the model's own (an action's group impact, a session)."""
    return lambda pk: id_url(name, pk)


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # a lazy translation
    model: type[Model]
    # The rows of this kind the person may read (a queryset over the kind's model).
    readable: Callable[[User, list[int]], QuerySet]
    # The rows of one group (the group filter); None: this kind belongs to no group.
    in_group: Callable[[int], Q] | None
    shown: Shown

    @property
    def document(self) -> Document:
        return DOCUMENTS[self.key]


def _groups(user: User, ids: list[int]) -> QuerySet[Group]:
    # As a group page decides: anyone who may see its network, and its own members.
    return Group.objects.filter(visible_networks_q(user, "network__") | Q(pk__in=ids))


def _answers(user: User, ids: list[int]) -> QuerySet[Answer]:
    # An answer is read on its question's page: whoever may see the question.
    return Answer.objects.filter(question__in=visible_questions(user).values("pk"))


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in [
        Kind(
            "group",
            _("Groups"),
            Group,
            _groups,
            lambda pk: Q(pk=pk),
            Shown(
                _page(Group),
                group="pk",
                group_name=None,
                network_name="network__name",
                at=None,
            ),
        ),
        Kind(
            "network",
            _("Networks"),
            Network,
            lambda user, ids: Network.objects.filter(visible_networks_q(user)),
            None,
            Shown(
                lambda slug: Network(slug=slug).get_absolute_url(),
                link="slug",
                group=None,
                group_name=None,
                at=None,
            ),
        ),
        Kind(
            "narrative",
            _("Narratives"),
            Narrative,
            lambda user, ids: visible_narratives(user),
            lambda pk: Q(group_id=pk),
            Shown(_page(Narrative), network_name="network__name"),
        ),
        Kind(
            "question",
            _("Powerful questions"),
            Question,
            lambda user, ids: visible_questions(user),
            lambda pk: Q(group_id=pk),
            Shown(_page(Question), network_name="network__name"),
        ),
        Kind(
            "answer",
            _("Answers"),
            Answer,
            _answers,
            lambda pk: Q(question__group_id=pk),
            # Answers are read on their question's page, under its words.
            Shown(
                _page(Question),
                link="question_id",
                group="question__group_id",
                group_name="question__group__name",
                network_name="question__network__name",
                title="question__text",
            ),
        ),
        Kind(
            "help",
            _("Help requests"),
            HelpRequest,
            lambda user, ids: visible_help_requests(user),
            lambda pk: Q(group_id=pk),
            Shown(_page(HelpRequest)),
        ),
        Kind(
            "initiative",
            _("Initiatives"),
            Initiative,
            lambda user, ids: visible_group_items(Initiative, user),
            lambda pk: Q(group_id=pk),
            Shown(_page(Initiative)),
        ),
        Kind(
            "action",
            _("Actions"),
            Action,
            # The action list API's rule, with the ids in hand: the index leads with group_id.
            lambda user, ids: Action.objects.filter(group_id__in=ids),
            lambda pk: Q(group_id=pk),
            Shown(_named("metrics:group_impact"), link="group_id", day="happened_on", at=None),
        ),
        Kind(
            "session",
            _("Session summaries"),
            Session,
            # A session's page is for the group's members and its network's organizers.
            lambda user, ids: Session.objects.filter(group_id__in=ids),
            lambda pk: Q(group_id=pk),
            Shown(
                _named("groups:session_detail"),
                at="meeting__starts_at",
                label=_("Reflection session"),
            ),
        ),
    ]
}
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS.values()]


def search_config(language: str | None) -> str:
    """The text search configuration for a language code (de-at searches as de)."""
    code = (language or "").lower().split("-")[0]
    return CONFIGS.get(code, DEFAULT_CONFIG)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def query_words(q: str) -> list[str]:
    """The words of a query for the plain match: quotes, a leading minus and 'or' left out."""
    words = re.findall(r"[\w'-]+", q)
    return [w.strip("'-") for w in words if w.lower() != "or" and not w.startswith("-")][:10]


@dataclass
class Result:
    kind: str
    pk: int
    rank: float
    title: str = ""  # HTML (SafeString) once described
    snippet: str = ""
    url: str = ""
    group_id: int | None = None
    group_name: str = ""
    network_name: str = ""
    when: Any = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind].label)


@dataclass
class Search:
    """A search: the matches of `q` the person may read, in the chosen kinds (all when none),
    optionally within one group. Behaves as a sequence for Django's and REST framework's
    paginators: len() is the number of matches, a slice is one page of ranked results."""

    user: User
    q: str
    kinds: list[str] = field(default_factory=list)
    group_id: int | None = None
    language: str | None = None

    def __post_init__(self):
        # A NUL cannot be sent to PostgreSQL (the form refuses one too).
        self.q = self.q.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
        self.config = search_config(self.language)
        self.selected = [k for k in KINDS if not self.kinds or k in self.kinds]
        self._counts: dict[str, int] | None = None
        self._window: tuple[int, int] | None = None
        self._rows: list[Found] = []
        self._group_ids: list[int] | None = None

    # The matching rows of each kind -----------------------------------------------------------

    @property
    def group_ids(self) -> list[int]:
        if self._group_ids is None:
            self._group_ids = readable_group_ids(self.user) if self.user.is_authenticated else []
        return self._group_ids

    @property
    def is_empty(self) -> bool:
        return not self.user.is_authenticated or not (
            self.q if is_postgresql() else query_words(self.q)
        )

    def _tsquery(self) -> tuple[str, list]:
        return "websearch_to_tsquery(%s::regconfig, %s)", [self.config, self.q]

    def matches(self, key: str) -> QuerySet:
        """The rows of one kind that match and that the person may read."""
        kind = KINDS[key]
        rows = kind.readable(self.user, self.group_ids)
        if self.group_id is not None:
            rows = rows.filter(kind.in_group(self.group_id)) if kind.in_group else rows.none()
        if is_postgresql():
            tsquery, params = self._tsquery()
            vector = vector_sql(kind.document, self.config, qualified=True)
            # The expression of the kind's index (documents.py), so the planner uses it. SQL
            # from documents.py's constants; the person's words are parameters.
            match = RawSQL(f"{vector} @@ {tsquery}", params, output_field=BooleanField())  # noqa: S611
            return rows.filter(match)
        for word in query_words(self.q):
            any_column = Q()
            for column in kind.document.columns:
                any_column |= Q(**{f"{column}__icontains": word})
            rows = rows.filter(any_column)
        return rows

    def _rank_sql(self, key: str) -> tuple[str, list]:
        if not is_postgresql():
            return "0", []
        vector = vector_sql(KINDS[key].document, self.config, qualified=True)
        tsquery, params = self._tsquery()
        return f"ts_rank({vector}, {tsquery})", params

    def _query(self, limit: int, offset: int) -> tuple[str, list]:
        """One statement for the counts of every kind and one page of results, ready to show.

        Each kind's matching ids are found once, through its index, as a materialized CTE (a
        fence: planned as "all matches", never as a walk along another index hoping to meet
        enough of them soon). Counting them is cheap; ranking is not (ts_rank needs each row's
        to_tsvector again), so only each selected kind's RANKED newest matches are ranked: a
        word in 12,000 of an organizer's actions ranks 200 of them, not 12,000. The page's
        rows come back with what they show (_shown), so no query follows per kind."""
        ctes, counts, ranked, params, count_params, rank_params = [], [], [], [], [], []
        ranked_kinds: list[str] = []
        for index, key in enumerate(KINDS):
            rows = self.matches(key).order_by().values_list("pk")
            try:
                sql, values = rows.query.sql_with_params()
            except EmptyResultSet:
                continue  # a filter that can match nothing (no groups of one's own)
            cte = f"m{index}"
            ctes.append(f"{cte} AS MATERIALIZED ({sql})")
            params += values
            counts.append(
                f"SELECT 0, CAST(%s AS text), {NO_ID}, {NO_RANK}, count(*), {NOTHING_SHOWN} "  # noqa: S608
                f"FROM {cte}"
            )
            count_params.append(key)
            if key in self.selected:
                table = KINDS[key].document.table
                rank, values = self._rank_sql(key)
                ranked.append(
                    f'SELECT CAST(%s AS text) AS kind, "{table}"."id" AS pk, {rank} AS search_rank '  # noqa: S608
                    f'FROM "{table}" WHERE "{table}"."id" IN '
                    f"(SELECT pk FROM {cte} ORDER BY pk DESC LIMIT {RANKED})"
                )
                rank_params += [key, *values]
                ranked_kinds.append(key)
        if not ctes:
            raise EmptyResultSet
        shown, shown_params = [], []
        if ranked:
            ctes.append(
                f"page AS MATERIALIZED (SELECT * FROM ({' UNION ALL '.join(ranked)}) r "  # noqa: S608
                "ORDER BY search_rank DESC, kind, pk DESC LIMIT %s OFFSET %s)"
            )
            params += [*rank_params, limit, offset]
            for key in ranked_kinds:
                sql, values = self._shown(key)
                shown.append(
                    f"SELECT 1, p.kind, p.pk, p.search_rank, {NO_ID}, {SHOWN_COLUMNS} "  # noqa: S608
                    f"FROM page p JOIN ({sql}) s ON s.shown_pk = p.pk WHERE p.kind = %s"
                )
                shown_params += [*values, key]
        sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(counts + shown)}"
        return sql, [*params, *count_params, *shown_params]

    def _shown(self, key: str) -> tuple[str, tuple]:
        """What each of the page's results of one kind shows, in SHOWN_COLUMNS: its title
        (marked on PostgreSQL), its body's text, its group, network, link and date."""
        kind, document = KINDS[key], KINDS[key].document
        shown = kind.shown

        def column(path: str | None, output: Field) -> F | Cast:
            # Every kind's part of the statement has the same column types: a NULL is cast,
            # and an id to text for the link (a network's is its slug). Dates are left as
            # they are (SQLite's cast to a date-time would drop the microseconds).
            if path is None or isinstance(output, TextField):
                return Cast(F(path) if path else Value(None), output_field=output)
            return F(path)

        if document.title and is_postgresql():
            title = self._headline(document.title, document.table, TITLE_OPTIONS)
        else:
            title = (
                _joined(document.title, " ") if document.title else column(shown.title, TextField())
            )
        # The excerpt as cut from the body as stored: a plain text's own words. A body with
        # Markdown in it is cut again from its words (_results).
        snippet = (
            self._headline(document.body, document.table, SNIPPET_OPTIONS)
            if is_postgresql()
            else column(None, TextField())
        )
        # Unordered (the page's order is the statement's): a model's default order would
        # add a join and a sort to each kind's part.
        rows = (
            kind.model.objects.filter(pk__in=RawSQL("SELECT pk FROM page WHERE kind = %s", [key]))
            .order_by()
            .values(
                shown_pk=F("pk"),
                shown_title=Cast(title, output_field=TextField()),
                shown_body=Cast(_joined(document.body, "\n\n"), output_field=TextField()),
                shown_snippet=snippet,
                shown_group=column(shown.group, BigIntegerField()),
                shown_group_name=column(shown.group_name, TextField()),
                shown_network_name=column(shown.network_name, TextField()),
                shown_link=column(shown.link, TextField()),
                shown_day=column(shown.day, DateField()),
                shown_at=column(shown.at, DateTimeField()),
            )
        )
        return rows.query.sql_with_params()

    def _headline(self, columns: tuple[str, ...], table: str, options: str) -> RawSQL:
        """The columns' text with the matched words between START and STOP (ts_headline)."""
        tsquery, params = self._tsquery()
        # The markers are taken out of the text first (see START).
        text = f"translate({text_sql(columns, table)}, E'\\x01\\x02', '')"
        return RawSQL(  # noqa: S611 - constants; words are parameters
            f"ts_headline(%s::regconfig, {text}, {tsquery}, %s)",
            [self.config, *params, options],
            output_field=TextField(),
        )

    def _fetch(self, start: int, stop: int) -> None:
        self._counts = {key: 0 for key in KINDS}
        self._window, self._rows = (start, stop), []
        if self.is_empty:
            return
        try:
            sql, params = self._statement(stop - start, start)
        except EmptyResultSet:
            return
        for rows in _run(sql, params):
            for part, key, pk, rank, count, *shown in rows:
                if part == 0:
                    self._counts[key] = count
                else:
                    self._rows.append(Found(key, pk, rank, *shown))
        # The page's order (the statement's parts come in any order).
        self._rows.sort(key=lambda row: (-row.rank, row.kind, -row.pk))

    def _statement(self, limit: int, offset: int) -> tuple[str, list]:
        """_query() for this person, from the statement compiled once per shape (how many
        groups they read, the kinds, a group or not, the language) with stand-ins for the
        values: building the nine kinds' querysets costs more than running them. The group ids
        are padded to a power of two (repeating the last, which changes no IN list), so that
        one person in 5 groups and another in 7 share a statement: each shape is prepared once
        on each database connection, at some 20 ms."""
        if not is_postgresql():
            return self._query(limit, offset)  # the plain match puts the words in its SQL
        ids = self.group_ids
        if ids:
            ids = ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids))
        sql, template = _compiled(
            len(ids), tuple(self.kinds), self.group_id is not None, self.config
        )
        real: dict[int, Any] = {
            STAND_IN_USER: self.user.pk,
            STAND_IN_GROUP: self.group_id,
            STAND_IN_LIMIT: limit,
            STAND_IN_OFFSET: offset,
            **dict(zip(_stand_in_ids(len(ids)), ids, strict=True)),
        }
        params = [
            self.q
            if value == STAND_IN_WORDS
            else real.get(value, value)
            if type(value) is int
            else value
            for value in template
        ]
        return sql, params

    # As a sequence: the count, and a page of ranked results -----------------------------------

    def prepare(self, start: int, stop: int) -> None:
        """Read the counts together with this page (one statement instead of two)."""
        if self._window != (start, stop):
            self._fetch(start, stop)

    def prepare_page(self, number: str | None, size: int) -> None:
        """prepare() for page `number` (as a paginator will read it; anything else as page 1)."""
        # ASCII digits only: str.isdigit() also takes "²" or "①", which int() refuses.
        page = int(number) if number and re.fullmatch(r"[0-9]{1,6}", number) else 1
        page = max(page, 1)
        self.prepare((page - 1) * size, page * size)

    @property
    def counts(self) -> dict[str, int]:
        """Matches per kind (every kind, whatever is selected), over readable rows only."""
        if self._counts is None:
            self._fetch(0, 0)
        return self._counts

    def count(self) -> int:
        """The results that can be paged through: every match, up to RANKED of each kind (the
        counts say how many there are in all)."""
        return sum(min(n, RANKED) for key, n in self.counts.items() if key in self.selected)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Result]:
        if not isinstance(index, slice):
            raise TypeError("a search is read a page at a time")
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start or not self.count():
            return []
        # The paginator slices the last page to the count ([40:47] of a window read as
        # [40:60]): a slice inside the window read already is served from it.
        if self._window and self._window[0] <= start and stop <= self._window[1]:
            offset = self._window[0]
            return self._results(self._rows[start - offset : stop - offset])
        self.prepare(start, stop)
        return self._results(self._rows)

    # Showing a page: each result with its title, snippet and place -------------------------

    def _results(self, rows: list["Found"]) -> list[Result]:
        # The body columns are Markdown: the excerpt is cut from their words, not their marks
        # ("**2041**", "[a link](https://...)"). A plain body's words are its own, so the
        # statement's excerpt stands (its line breaks made spaces, as markdown_words does).
        if is_postgresql():
            snippets = [" ".join((row.snippet or "").split()) for row in rows]
            again = [i for i, row in enumerate(rows) if has_markdown(row.body)]
            texts = [markdown_words(rows[i].body or "") for i in again]
            for i, snippet in zip(again, self._marked_snippets(texts), strict=True):
                snippets[i] = snippet
        else:
            words = query_words(self.q)
            texts = [markdown_words(row.body or "") for row in rows]
            snippets = [mark_words(_excerpt(text, words), words) for text in texts]
        return [self._result(row, snippet) for row, snippet in zip(rows, snippets, strict=True)]

    def _result(self, row: "Found", snippet: str) -> Result:
        shown = KINDS[row.kind].shown
        if KINDS[row.kind].document.title:
            title = row.title if is_postgresql() else mark_words(row.title, query_words(self.q))
            title = marked(title)
        else:
            title = escape(row.title if shown.title else shown.label or "")
        return Result(
            kind=row.kind,
            pk=row.pk,
            rank=float(row.rank or 0),
            title=title,
            snippet=marked(snippet),
            url=shown.url(row.link),
            group_id=row.group,
            group_name=row.group_name or "",
            network_name=row.network_name or "",
            when=_as_date(row.day) or _as_datetime(row.at),
        )

    def _marked_snippets(self, texts: list[str]) -> list[str]:
        """The excerpts of a page's results, with the matched words marked, in one query:
        PostgreSQL's ts_headline over each body's plain words (it knows stems and accents)."""
        if not texts:
            return []
        tsquery, params = self._tsquery()
        texts = [text.replace(START, "").replace(STOP, "") for text in texts]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ts_headline(%s::regconfig, text, {tsquery}, %s) "  # noqa: S608 - constants
                "FROM unnest(%s::text[]) WITH ORDINALITY AS body(text, n) ORDER BY n",
                [self.config, *params, SNIPPET_OPTIONS, texts],
            )
            return [snippet for (snippet,) in cursor.fetchall()]


class Found(NamedTuple):
    """A row of a page of results, as the statement returns it (SHOWN_COLUMNS after rank)."""

    kind: str
    pk: int
    rank: float
    title: str | None
    body: str | None
    snippet: str | None
    group: int | None
    group_name: str | None
    network_name: str | None
    link: str
    day: Any
    at: Any


# What each row of the statement holds after its part, kind, id, rank and count.
SHOWN_COLUMNS = (
    "s.shown_title, s.shown_body, s.shown_snippet, s.shown_group, s.shown_group_name, "
    "s.shown_network_name, s.shown_link, s.shown_day, s.shown_at"
)
NOTHING_SHOWN = (
    "CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS bigint), "
    "CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS date), "
    "CAST(NULL AS timestamp with time zone)"
)


def _joined(columns: tuple[str, ...], separator: str) -> Func:
    """The columns as one text (NULLs as empty)."""
    parts = [Coalesce(F(column), Value(""), output_field=TextField()) for column in columns]
    if len(parts) == 1:
        return parts[0]
    with_separators = [parts[0]]
    for part in parts[1:]:
        with_separators += [Value(separator), part]
    return Concat(*with_separators, output_field=TextField())


def _as_date(value: Any) -> date | None:
    # SQLite's rows hold dates as text: a raw statement gets no field's conversion.
    return parse_date(value) if isinstance(value, str) else value


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
    return value


# Stand-ins a statement is compiled with (no row has a negative id), swapped for the person's
# values in Search._statement.
STAND_IN_GROUP = -770_002
STAND_IN_LIMIT, STAND_IN_OFFSET = -770_003, -770_004
STAND_IN_WORDS = "\x01search words\x01"  # swapped for the words, which may even be these


def _stand_in_ids(n: int) -> list[int]:
    return [-780_000 - i for i in range(n)]


@lru_cache(maxsize=512)
def _compiled(
    groups: int, kinds: tuple[str, ...], in_group: bool, config: str
) -> tuple[str, tuple]:
    """The search statement of one shape, compiled with stand-ins (see Search._statement)."""
    search = Search(
        user=User(pk=STAND_IN_USER),  # never saved: only its id goes into the statement
        q=STAND_IN_WORDS,
        kinds=list(kinds),
        group_id=STAND_IN_GROUP if in_group else None,
    )
    search.config = config
    search._group_ids = _stand_in_ids(groups)
    sql, params = search._query(STAND_IN_LIMIT, STAND_IN_OFFSET)
    return sql, tuple(params)


# The statements each database connection has prepared (by the raw connection: a new one after
# a reconnect starts with none).
_PREPARED: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()


def _run(sql: str, params: list) -> list[list[tuple]]:
    """The statement's rows (as a one-item list). When the connection's prepared statements are
    not what this process remembers (a pooler's DISCARD ALL lost one; behind a transaction-mode
    pooler another server connection may hold it or not), the second try asks the server."""
    for attempt in (1, 2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if is_postgresql():
                    _execute_prepared(cursor, sql, params, ask_server=attempt == 2)
                else:
                    cursor.execute(sql, params)
                return [cursor.fetchall()]
        except DatabaseError as error:
            cause = type(error.__cause__).__name__
            if attempt == 2 or cause not in _PREPARED_STATE_ERRORS:
                raise
    return []


# What a connection says when its prepared statements are not the ones remembered for it.
_PREPARED_STATE_ERRORS = ("InvalidSqlStatementName", "DuplicatePreparedStatement")


def _execute_prepared(cursor, sql: str, params: list, *, ask_server: bool = False) -> None:
    """Run the search statement as a prepared statement with a generic plan, in the caller's
    transaction. Planning it (nine kinds' visibility rules) took 5-12 ms against 1-3 ms to
    run it; the generic plan is made once per connection and shape and kept. JIT is off: it
    compiled for longer than the statement runs. With ask_server, whether the statement is
    prepared is read from the server in the same transaction (so on the same server
    connection, even behind a transaction-mode pooler) rather than remembered."""
    name = "search_" + hashlib.sha256(sql.encode()).hexdigest()[:20]
    raw = cursor.connection
    prepared = _PREPARED.setdefault(raw, set())
    if ask_server:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
        (prepared.add if cursor.fetchone() else prepared.discard)(name)
    # The settings go with the statement: one round trip (two the first time).
    settings = "SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_generic_plan; "
    if name not in prepared:
        numbered = sql % tuple(f"${n}" for n in range(1, len(params) + 1))
        cursor.execute(f"{settings}PREPARE {name} AS {numbered}")
        prepared.add(name)
        settings = ""
    cursor.execute(f"{settings}EXECUTE {name}({', '.join(['%s'] * len(params))})", params)


def marked(text: str | None) -> SafeString:
    """Text with START/STOP markers as HTML: everything escaped, the markers as <mark>."""
    text = escape(text or "")
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def mark_words(text: str, words: list[str]) -> str:
    """The plain match's highlighting: each word's occurrences between the markers."""
    text = (text or "").replace(START, "").replace(STOP, "")
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in words if w), re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)


def _excerpt(text: str, words: list[str], size: int = 30) -> str:
    """About `size` words of text around the first word that matches."""
    parts = text.split()
    lowered = [p.lower() for p in parts]
    first = next((i for i, p in enumerate(lowered) if any(w.lower() in p for w in words)), 0)
    start = max(first - size // 3, 0)
    chunk = " ".join(parts[start : start + size])
    return ("… " if start else "") + chunk + (" …" if start + size < len(parts) else "")
