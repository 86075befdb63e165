"""Operations the migrations share (a module whose name starts with _ is no migration)."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class AddIndexWhileWriting(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL, so that ACKs and callbacks go on being
    written into the table while the index is built; a plain CREATE INDEX on other
    databases. Its migration sets `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._way(schema_editor).database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._way(schema_editor).database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )

    @staticmethod
    def _way(schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            return AddIndexConcurrently
        return migrations.AddIndex


class RemoveIndexWhileWriting(RemoveIndexConcurrently):
    """DROP INDEX CONCURRENTLY on PostgreSQL (writes go on meanwhile), a plain DROP INDEX
    on other databases. Its migration sets `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._way(schema_editor).database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._way(schema_editor).database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )

    @staticmethod
    def _way(schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            return RemoveIndexConcurrently
        return migrations.RemoveIndex
