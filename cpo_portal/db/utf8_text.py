"""Text that keeps the UTF-8 bytes it was decoded from, so that writing it to the database
or sending it does not encode it again.

A callback's body is JSON encoded to UTF-8 bytes (orjson), kept as a `str` (the outbox
row's text column, the admin, `json.loads`), and then written to PostgreSQL and signed and
sent as bytes. A `str` holding any character beyond Latin-1 (a catalog's "₹") is stored by
CPython two bytes a character, and encoding 80 KiB of it to UTF-8 again costs more than
twice decoding it (about 0.2 ms; bench/results/on_search.md), once when psycopg sends it
and once when it is signed. `Utf8Text` is such a `str` with its bytes beside it (`utf8`);
psycopg is given them as they are (a dumper registered for the class, on its public
adapters API), wherever the connection's encoding is UTF-8, as Django sets it.
"""

from __future__ import annotations

import psycopg
from psycopg.adapt import Dumper


class Utf8Text(str):
    """A `str` decoded from UTF-8 bytes, which it keeps (`utf8`)."""

    utf8: bytes

    @classmethod
    def decoded(cls, utf8: bytes) -> Utf8Text:
        text = cls(utf8, "utf-8")
        text.utf8 = utf8
        return text


def utf8(text: str) -> bytes:
    """`text` in UTF-8: the bytes a Utf8Text keeps, else encoded."""
    return text.utf8 if isinstance(text, Utf8Text) else text.encode("utf-8")


class Utf8TextDumper(Dumper):
    """A Utf8Text as a text parameter: its own bytes, unless the connection's encoding is
    not UTF-8."""

    oid = psycopg.postgres.types["text"].oid

    def dump(self, obj: Utf8Text) -> bytes:
        encoding = self.connection.info.encoding if self.connection is not None else "utf-8"
        return obj.utf8 if encoding == "utf-8" else obj.encode(encoding)


def register() -> None:
    """Every psycopg connection made from now on dumps Utf8Text by Utf8TextDumper."""
    psycopg.adapters.register_dumper(Utf8Text, Utf8TextDumper)
