"""Bulk loading: many rows into one table at the speed of the database's own loader — COPY on PostgreSQL,
executemany in one transaction on SQLite — for backlogs filled in one go (the scale benchmark fills 1.73
million records and their ~43 million fields this way). Values are converted by each column's own
SQLAlchemy type (datetimes, JSON, booleans), so what is loaded reads back exactly like rows the store wrote.
Rows carry their ids; `reset_id_sequences` moves PostgreSQL's id sequences past them afterwards.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import JSON, func, select, text

from store.engine import StoreBase
from store.schema import metadata

SQLITE_BATCH = 10_000


def _json(value) -> str:
    """JSON as COPY's text format takes it (the psycopg dialect leaves JSON to the driver's own adapter)."""
    return json.dumps(value, ensure_ascii=False)


class BulkQueries(StoreBase):
    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Load rows (tuples in `columns` order) into `table` in one transaction. Returns how many."""
        t = metadata.tables[table]
        dialect = self.engine.dialect
        convert = []  # (position, converter) of the columns whose values the driver cannot take as they are
        for i, name in enumerate(columns):
            column_type = t.c[name].type
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            if isinstance(column_type, JSON) and dialect.name == "postgresql":
                process = _json  # COPY's text format takes JSON text (the driver's adapter is for parameters)
            if process is not None:
                convert.append((i, process))

        def converted_rows():
            for row in rows:
                if convert:
                    row = list(row)
                    for i, process in convert:
                        if row[i] is not None:
                            row[i] = process(row[i])
                yield tuple(row)

        converted = converted_rows()
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            if dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in converted:
                        copy.write_row(row)
                        count += 1
            else:
                cursor.execute("BEGIN IMMEDIATE")
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                while batch := list(islice(converted, SQLITE_BATCH)):
                    cursor.executemany(sql, batch)
                    count += len(batch)
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        return count

    def reset_id_sequences(self) -> None:
        """After rows were loaded with their ids: PostgreSQL's sequences continue past the highest id (SQLite
        takes max(id) + 1 by itself)."""
        if self.engine.dialect.name != "postgresql":
            return
        with self._write() as conn:
            for table in metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    top = conn.execute(select(func.max(table.c.id))).scalar()
                    if top:
                        conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                                     {"t": table.name, "v": int(top)})

    def database_size(self) -> int:
        """Bytes the store takes on disk (tables and indexes)."""
        with self._read() as conn:
            if self.engine.dialect.name == "postgresql":
                return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            return int(pages * conn.exec_driver_sql("PRAGMA page_size").scalar())

    def analyze(self) -> None:
        """Fresh planner statistics after a bulk load (otherwise the first queries plan for empty tables); on
        PostgreSQL a VACUUM too, which marks the pages all-visible so index-only scans need not visit them."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if self.engine.dialect.name == "postgresql" else "ANALYZE")
