"""The offer ledger's region codes in one spelling, as stations store theirs since
cpo_portal 0018: rows written before it keep the code as the station spelled it then
(" dl"), which a region filter on the analytics pages ("DL") did not find. The rollups
built from them are rebuilt by analytics 0021.

On PostgreSQL the ledger refuses every UPDATE (its trigger, offers 0002). Respelling a
code is not a change of what happened, so this migration, and only it, lifts the guard
for its own statements, inside its transaction, and only when a code needs respelling."""

import cpo_portal.db.regions
from django.db import migrations

from cpo_portal.db.regions import respell_stored, respellings

RESPELL = respell_stored("offers", "redemption", "region_code")
GUARD = "ALTER TABLE offers_redemption {} TRIGGER offers_redemption_append_only"


def respell_ledger(apps, schema_editor):
    if not respellings(apps.get_model("offers", "Redemption").objects.all(), "region_code"):
        return
    guarded = schema_editor.connection.vendor == "postgresql"
    if guarded:
        schema_editor.execute(GUARD.format("DISABLE"), params=None)
    RESPELL.code(apps, schema_editor)
    if guarded:
        schema_editor.execute(GUARD.format("ENABLE"), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('cpo_portal', '0018_region_codes_one_spelling'),
        ('offers', '0024_region_codes_one_spelling'),
    ]

    operations = [
        migrations.AlterField(
            model_name='redemption',
            name='region_code',
            field=cpo_portal.db.regions.RegionCodeField(blank=True, max_length=16),
        ),
        migrations.RunPython(respell_ledger, migrations.RunPython.noop, elidable=True),
    ]
