"""A surge rule's customer text is written from the rule (pricing.models.surge_text); the typed
`explanation` becomes an optional `note` shown after it.

An old explanation is kept as the note only when it holds no figures (anything with a
digit restates the amount, time or threshold, which the derived text now says). History
rows keep what they said at the time."""

from django.db import migrations, models

import cpo_portal.db.values
import pricing.models.surges


def keep_figureless_explanations(apps, schema_editor):
    SurgeRule = apps.get_model("pricing", "SurgeRule")
    for rule in SurgeRule.objects.exclude(note=""):
        text = rule.note.strip()
        keep = text if text != rule.name and not any(c.isdigit() for c in text) else ""
        if keep != rule.note:
            SurgeRule.objects.filter(pk=rule.pk).update(note=keep)


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0003_value_rules"),
    ]

    operations = [
        migrations.RenameField("surgerule", "explanation", "note"),
        migrations.RenameField("historicalsurgerule", "explanation", "note"),
        migrations.AlterField(
            model_name="surgerule",
            name="note",
            field=models.CharField(
                blank=True,
                help_text="Optional words shown to customers after the text written from the rule "
                '("Congestion Fee: ₹1/kWh between 6 PM - 9 PM"). No figures: the amount, times '
                "and thresholds always come from the rule.",
                max_length=300,
                validators=[
                    cpo_portal.db.values.no_control_characters,
                    pricing.models.surges.no_figures,
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalsurgerule",
            name="note",
            field=models.CharField(
                blank=True,
                help_text="Optional words shown to customers after the text written from the rule "
                '("Congestion Fee: ₹1/kWh between 6 PM - 9 PM"). No figures: the amount, times '
                "and thresholds always come from the rule.",
                max_length=300,
                validators=[
                    cpo_portal.db.values.no_control_characters,
                    pricing.models.surges.no_figures,
                ],
            ),
        ),
        migrations.RunPython(keep_figureless_explanations, migrations.RunPython.noop),
    ]
