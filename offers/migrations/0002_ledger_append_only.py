"""On PostgreSQL, refuse UPDATE and DELETE on the redemption ledger in the database itself,
so no code path (raw SQL, a cascade, a shell session) can rewrite history. TRUNCATE, which
only test database teardown uses, is not affected."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION offers_redemption_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'offers_redemption is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER offers_redemption_append_only
    BEFORE UPDATE OR DELETE ON offers_redemption
    FOR EACH ROW EXECUTE FUNCTION offers_redemption_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS offers_redemption_append_only ON offers_redemption;
DROP FUNCTION IF EXISTS offers_redemption_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
