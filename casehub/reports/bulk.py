"""Writing many rows at once: PostgreSQL's COPY, plain multi-row inserts on SQLite."""
import enum
import json
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from casehub.extensions import db


def allocate_ids(table: sa.Table, count: int) -> list[int]:
    """`count` fresh primary keys, so a batch's rows can refer to each other before they are written."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(sa.text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)"), {"n": count}))
    start = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def bulk_insert(table: sa.Table, rows: list[dict]) -> None:
    """Write `rows` (dicts of column values) in one go: COPY on PostgreSQL, multi-row inserts elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote  # "case" is a keyword
    statement = f"COPY {quote(table.name)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    # Only the columns that need it are converted: this loop runs for every row of an import.
    converted = [(position, convert) for position, convert in enumerate(
        _copy_converter(table.c[column].type.dialect_impl(connection.dialect)) for column in columns) if convert]
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = values_of(row)
            if converted:
                values = list(values)
                for position, convert in converted:
                    if values[position] is not None:
                        values[position] = convert(values[position])
            copy.write_row(values)


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
