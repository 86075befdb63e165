"""A select holds its quote (SelectQuote); the order is made at init. Every order made
before holds its quote too, linked to it, so a later select of its transaction re-quotes
the order as before."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

BATCH = 1000


def hold_orders_quotes(apps, schema_editor):
    Order = apps.get_model("beckn", "Order")
    SelectQuote = apps.get_model("beckn", "SelectQuote")
    orders = Order.objects.order_by("pk")
    last = 0
    while True:
        batch = list(orders.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        SelectQuote.objects.bulk_create(
            [
                SelectQuote(
                    bap_id=o.bap_id, transaction_id=o.transaction_id, order_id=o.pk,
                    charger_id=o.charger_id, session=o.session, quote=o.quote,
                    total=o.quote_total or 0, currency=o.currency,
                    applied_offers=o.applied_offers, offer_ids=o.offer_ids,
                    offer_codes=o.offer_codes, customer_key=o.customer_key,
                    fulfillment=o.fulfillment, created_at=o.created_at, updated_at=o.updated_at,
                )
                for o in batch
            ],
            ignore_conflicts=True,
        )  # fmt: skip


class Migration(migrations.Migration):

    dependencies = [
        ('beckn', '0011_catalogrefresh_change_record'),
        ('cpo_portal', '0007_cds_operator_fees'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalorder',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name='order',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.CreateModel(
            name='SelectQuote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bap_id', models.CharField(max_length=255)),
                ('transaction_id', models.CharField(max_length=64)),
                ('session', models.JSONField(default=dict)),
                ('quote', models.JSONField(default=dict)),
                ('total', models.DecimalField(decimal_places=2, max_digits=12)),
                ('currency', models.CharField(default='INR', max_length=3)),
                ('applied_offers', models.JSONField(blank=True, default=list)),
                ('offer_ids', models.JSONField(blank=True, default=list)),
                ('offer_codes', models.JSONField(blank=True, default=list)),
                ('customer_key', models.CharField(blank=True, max_length=128)),
                ('fulfillment', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('charger', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cpo_portal.charger')),
                ('order', models.OneToOneField(blank=True, help_text='The order made of this quote at init.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='select_quote', to='beckn.order')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('bap_id', 'transaction_id'), name='one_held_quote_per_transaction')],
            },
        ),
        migrations.RunPython(hold_orders_quotes, migrations.RunPython.noop),
]
