"""A zip of tables, streamed while it is written: each table once as CSV and once as JSON.

Memory stays flat however much there is: each table's rows are read in chunks of CHUNK_ROWS
(`.iterator(chunk_size=...)`, a server-side cursor on PostgreSQL), turned into text a few
hundred rows at a time, and compressed into the zip, whose bytes go to the response as soon
as a buffer's worth is ready. Python's zipfile writes to a stream that cannot seek: each
entry's sizes then follow its data (a data descriptor), which every unzip tool reads.

On PostgreSQL the whole zip is read in one snapshot (`in_one_snapshot`), so that its tables
agree with each other, and each table's CSV with its JSON, whatever is written meanwhile.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Expression, QuerySet

from metrics.exports.log_csv import _safe

CHUNK_ROWS = 2000  # rows fetched from the database at a time
FLUSH_BYTES = 64 * 1024  # text gathered before it is compressed, and zip bytes before they are sent


@dataclass(frozen=True)
class Table:
    """One kind of data: a file `<name>.csv` and `<name>.json` in the zip.

    `columns` maps each column's name to what fills it: a field path for values_list, or an
    expression. `reshape`, when given, turns a row (a dict by column) into the row written."""

    name: str
    about: str
    rows: QuerySet
    columns: dict[str, str | Expression]
    order: tuple[str, ...] = ("pk",)
    reshape: Callable[[dict], dict] | None = None
    # Columns a reshape adds or removes: the file's columns, in order (default: `columns`).
    written: tuple[str, ...] = field(default=())

    @property
    def header(self) -> list[str]:
        return list(self.written or self.columns)

    def records(self) -> Iterator[dict]:
        """The rows as dicts by column, read in chunks."""
        names, lookups, annotations = list(self.columns), [], {}
        for position, (name, source) in enumerate(self.columns.items()):
            if isinstance(source, str):
                lookups.append(source)
            else:
                key = f"export_{position}_{name}"
                annotations[key] = source
                lookups.append(key)
        rows = self.rows.annotate(**annotations) if annotations else self.rows
        for values in (
            rows.order_by(*self.order).values_list(*lookups).iterator(chunk_size=CHUNK_ROWS)
        ):
            record = dict(zip(names, values, strict=True))
            yield self.reshape(record) if self.reshape else record


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact, as stored (a float would round)
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _safe(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, str):
        return _safe(value)
    return value


def _batched(pieces: Iterable[str]) -> Iterator[bytes]:
    """Text pieces gathered into chunks of about FLUSH_BYTES, as UTF-8."""
    batch, size = [], 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= FLUSH_BYTES:
            yield "".join(batch).encode()
            batch, size = [], 0
    if batch:
        yield "".join(batch).encode()


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as CSV: a header line, then one line per row (cells guarded by `_safe`)."""
    line = io.StringIO()
    writer = csv.writer(line)

    def lines() -> Iterator[str]:
        writer.writerow(table.header)
        yield line.getvalue()
        for record in table.records():
            line.seek(0)
            line.truncate()
            writer.writerow([_csv_value(record.get(name)) for name in table.header])
            yield line.getvalue()

    return _batched(lines())


def json_chunks(table: Table) -> Iterator[bytes]:
    """The table as JSON: an array of objects, one per row, keys as the CSV's header."""

    def pieces() -> Iterator[str]:
        yield "["
        separator = "\n"
        for record in table.records():
            row = {name: _json_value(record.get(name)) for name in table.header}
            yield separator + json.dumps(row, ensure_ascii=False)
            separator = ",\n"
        yield "\n]\n"

    return _batched(pieces())


class _Sink:
    """A write-only stream the zip writes into and the response's generator empties."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0
        self.pending = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        self.pending += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


def zip_stream(
    files: Iterable[tuple[str, Callable[[], Iterable[bytes]]]], *, stamp: datetime
) -> Iterator[bytes]:
    """A zip of `files` (name and a function giving its content in chunks), yielded in pieces
    as it is written. Nothing is read before the response starts sending."""
    sink = _Sink()
    when = stamp.timetuple()[:6]
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            # force_zip64: the size is not known in advance and may pass 2 GiB.
            with archive.open(info, mode="w", force_zip64=True) as entry:
                for chunk in content():
                    entry.write(chunk)
                    if sink.pending >= FLUSH_BYTES:
                        yield sink.drain()
            yield sink.drain()
    yield sink.drain()


# REPEATABLE READ is PostgreSQL's snapshot isolation: every query sees the database as it
# was at the transaction's first query. SERIALIZABLE READ ONLY DEFERRABLE would add nothing
# here (the writers run READ COMMITTED, so there is no serial order to agree with) and may
# wait for a safe moment before it starts.
SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


def in_one_snapshot(chunks: Iterator[bytes], *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bytes]:
    """`chunks`, with every query they make read in one read-only transaction on PostgreSQL,
    from the first chunk to the last.

    A streamed response's content is read after the view returned, outside any request
    transaction, by the server's call to the iterator. So the transaction lives here, in the
    generator: it begins at the first chunk and ends with the last, and when the client goes
    away mid-download the server closes the response, which closes this generator
    (GeneratorExit at its yield): `yield from` first closes the inner generators (their
    server-side cursors close inside the transaction), then atomic() rolls back. The
    connection is in autocommit again, so request_finished's close_old_connections keeps it
    for CONN_MAX_AGE (one left inside a transaction it would close).
    Within the transaction `.iterator()` uses plain server-side cursors (WITHOUT HOLD), so
    rows still come a chunk at a time. Every server reads and closes the stream in one thread,
    the one whose connection the transaction holds: a WSGI server's (and a2wsgi's pool
    thread), or under Django's ASGI handler the request's one thread, where it reads a
    synchronous stream whole (`sync_to_async(list)`) before request_finished runs there.

    On SQLite (`make run`) each query reads on its own, as before: this project's SQLite
    begins transactions IMMEDIATE (settings), which would hold the write lock for the whole
    download, and the default setup there is one person trying the app.

    Inside a transaction already (ATOMIC_REQUESTS, a test's), the reads join it: a
    transaction's isolation can only be set before its first query."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from chunks
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(SNAPSHOT)  # a transaction's first statement, or it is refused
        yield from chunks


def tables_zip(tables: list[Table], *, readme: str, stamp: datetime) -> Iterator[bytes]:
    """README.txt, then csv/<table>.csv and json/<table>.json for each table, all read in one
    snapshot of the database (`in_one_snapshot`)."""
    files: list[tuple[str, Callable[[], Iterable[bytes]]]] = [
        ("README.txt", lambda: [readme.encode()])
    ]
    for table in tables:
        files.append((f"csv/{table.name}.csv", lambda t=table: csv_chunks(t)))
        files.append((f"json/{table.name}.json", lambda t=table: json_chunks(t)))
    return in_one_snapshot(zip_stream(files, stamp=stamp))
