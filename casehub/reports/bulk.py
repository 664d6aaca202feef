"""Moving many rows at once: PostgreSQL's COPY (plain multi-row inserts on SQLite), database work done in
a background thread while Python works on the rows already read, and no cycle collector meanwhile."""
import contextvars
import enum
import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from casehub.extensions import db

INSUFFICIENT_PRIVILEGE = "42501"
SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 5 ms


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Hold Python's cycle collector off while hundreds of thousands of rows are in memory.

    It walks every live container each time a few hundred new ones are made: a year's roll-up spent a
    quarter of its time there (65 s instead of 49 s). Reference counting still frees what the work
    makes (peak memory grew from 165 to 189 MB), and the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def beside_this_thread() -> Iterator[Callable[..., Future]]:
    """`submit(function, *args)` runs the function in one background thread, one call after the other,
    in this thread's application context, so on the same database session.

    PostgreSQL works on one core while Python works on the other. The caller waits for each call's
    future before touching the session itself. While the thread lives, the interpreter switches
    threads every 0.5 ms instead of 5: the background thread waits on PostgreSQL thousands of times and
    each time needs the interpreter back from the busy one (the default turns cost an import a fifth).
    """
    default_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with ThreadPoolExecutor(max_workers=1) as executor:
            yield lambda function, *args: executor.submit(contextvars.copy_context().run, function, *args)
    finally:
        sys.setswitchinterval(default_interval)


def allocate_ids(table: sa.Table, count: int) -> list[int]:
    """`count` fresh primary keys, so a batch's rows can refer to each other before they are written."""
    if db.session.get_bind().dialect.name == "postgresql":
        # The sequence is looked up once (an init plan), not for each of thousands of rows.
        return list(db.session.scalars(sa.text(
            f"SELECT nextval((SELECT pg_get_serial_sequence('{table.name}', 'id')::regclass)) "
            "FROM generate_series(1, :n)"), {"n": count}))
    start = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def bulk_insert(table: sa.Table, rows: list, columns: Sequence[str] | None = None) -> None:
    """Write `rows` in one go: COPY on PostgreSQL, multi-row inserts elsewhere.

    Rows are dicts of column values or, given `columns`, tuples of their values in that order (cheaper
    to build by the hundred thousand).
    """
    if not rows:
        return
    connection = db.session.connection()
    if columns is None:
        columns = list(rows[0])
        values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    else:
        values_of = None
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), [dict(zip(columns, row)) for row in rows] if values_of is None else rows)
        return
    quote = connection.dialect.identifier_preparer.quote  # "case" is a keyword
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(column) for column in columns)}) "
                 "FROM STDIN (FORMAT BINARY)")
    # Binary: half the formatting work of text here, and PostgreSQL parses no timestamps.
    stored_types = _stored_types(table.name)
    copy_types = [COPY_AS_TEXT.get(stored_types[column], stored_types[column]) for column in columns]
    # Only the columns that need it are converted: this loop runs for every row of an import.
    converted = [(position, convert) for position, convert in enumerate(
        _copy_converter(table.c[column].type.dialect_impl(connection.dialect)) for column in columns) if convert]
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(copy_types)
        for row in rows:
            values = values_of(row) if values_of else row
            if converted:
                values = list(values)
                for position, convert in converted:
                    if values[position] is not None:
                        values[position] = convert(values[position])
            copy.write_row(values)


# json's binary form is its text; psycopg's json dumper would encode our already encoded text again.
COPY_AS_TEXT = {"json": "text"}


def _stored_types(table_name: str) -> dict[str, str]:
    """Column name -> its type as PostgreSQL names it (what a binary COPY must send)."""
    return dict(db.session.execute(sa.text(
        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
        "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped"), {"table": table_name}).all())


@contextmanager
def references_checked_by_caller(*referenced: sa.Table) -> Iterator[bool]:
    """Inside, this transaction's rows skip PostgreSQL's per-row foreign-key checks, where the role may.

    For an import that resolved every reference itself: its rows point at rows of `referenced`
    (locked here against deletion with FOR KEY SHARE, the lock each check would take) or at
    rows it wrote itself in this transaction. The checks cost more than half of a large
    import's time. Skipping them needs `session_replication_role`, as pg_restore's
    --disable-triggers does: a superuser, or `GRANT SET ON PARAMETER session_replication_role`
    (PostgreSQL 15). Without it the checks run as usual. Yields whether they are skipped.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        yield False
        return
    for table in referenced:
        db.session.execute(sa.select(table.c.id).with_for_update(read=True, key_share=True)).all()
    skipped = _replica_role()
    yield skipped
    if skipped:  # not reached after an error: the caller rolls back, which undoes the SET as well
        db.session.execute(sa.text("SET LOCAL session_replication_role = DEFAULT"))


def _replica_role() -> bool:
    """Set `session_replication_role` to replica for this transaction, if the role may."""
    try:
        with db.session.begin_nested():  # a refused SET would abort the whole transaction
            db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    except sa.exc.ProgrammingError as error:
        if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        return False
    return True


def _copy_converter(column_type):
    """How a value reaches COPY in its stored form: JSON as text, enum members as their values."""
    if isinstance(column_type, sa.JSON):
        # Rows often share one dict (an import's event details): each distinct object is encoded once.
        # The rows hold their dicts until the COPY ends, so no id is reused meanwhile.
        encoded: dict[int, str] = {}
        return lambda value: encoded.get(id(value)) or encoded.setdefault(id(value), json.dumps(value))
    if isinstance(column_type, sa.Enum):
        return lambda value: value.value if isinstance(value, enum.Enum) else value  # psycopg would write the name
    return None


def raw_time(column):
    """`column` read without UTCDateTime's per-row conversion, where the driver already returns aware times.

    Only PostgreSQL does (timestamptz); SQLite keeps naive UTC text that the column type must convert.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.type_coerce(column, sa.DateTime(timezone=True))
    return column


def as_text(column):
    """An enum column read as its stored text, without converting every row to the enum."""
    return sa.type_coerce(column, sa.String)


def in_values(column, values: list, item_type=sa.Integer):
    """`column IN values` for thousands of values: one array parameter on PostgreSQL instead of one each."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(item_type)))
    return column.in_(values)
