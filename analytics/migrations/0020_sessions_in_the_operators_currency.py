"""The rollups count a session without offers only when it is billed in its operator's
currency (analytics.models.sessions.IN_OPERATOR_CURRENCY). When stored sessions are in
another currency, the rollups counted them: the tables are emptied and the cursors
reset, so the next run of the rollup task (or `rollup_backfill`) rebuilds them from the
ledger without them. With no such session the rollups are already right and stay."""

from django.db import migrations
from django.db.models import F

TABLES = (
    "DailyRollup", "HourlyRollup", "HourlyPeriod", "DailyCustomer", "CellCustomer",
    "CustomerSet", "CustomerSetMonth", "OfferDaily", "StationDaily", "ChannelDaily",
    "OfferScopeDaily", "OfferScope",
)


def forwards(apps, schema_editor):
    sessions = apps.get_model("analytics", "NoOfferSession").objects
    if not sessions.exclude(currency=F("operator__currency")).exists():
        return
    for name in TABLES:
        apps.get_model("analytics", name).objects.all().delete()
    apps.get_model("analytics", "RollupCursor").objects.update(last_id=0, pending_gaps=[])


class Migration(migrations.Migration):
    dependencies = [("analytics", "0019_dates_within_the_years")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
