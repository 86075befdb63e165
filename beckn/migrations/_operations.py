"""Operations the migrations share (a module whose name starts with _ is no migration)."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class _WhileWriting:
    """PostgreSQL's concurrent form of an index operation (writes go on meanwhile), the
    plain one on other databases. Its migration sets `atomic = False`."""

    concurrent: type
    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._way(schema_editor).database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._way(schema_editor).database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def _way(self, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            return self.concurrent
        return self.plain


class AddIndexWhileWriting(_WhileWriting, AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL, so that ACKs and callbacks go on being
    written into the table while the index is built; a plain CREATE INDEX elsewhere."""

    concurrent, plain = AddIndexConcurrently, migrations.AddIndex


class RemoveIndexWhileWriting(_WhileWriting, RemoveIndexConcurrently):
    """DROP INDEX CONCURRENTLY on PostgreSQL, a plain DROP INDEX elsewhere."""

    concurrent, plain = RemoveIndexConcurrently, migrations.RemoveIndex
