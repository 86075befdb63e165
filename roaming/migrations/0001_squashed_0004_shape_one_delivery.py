"""Every migration of roaming up to 0004_shape_one_delivery, as one: what a new database is made with (the
ones it replaces stay for a database made before)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('roaming', '0001_initial'),
        ('roaming', '0002_received_cdrs'),
        ('roaming', '0003_counts_audit_by_tariff'),
        ('roaming', '0004_shape_one_delivery'),
    ]

    initial = True

    dependencies = [
        ('cpo_portal', '0001_squashed_0010_station_stamp'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LocationStamp',
            fields=[
                ('station', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='ocpi_stamp', serialize=False, to='cpo_portal.station')),
                ('last_updated', models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name='CdrImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file_name', models.CharField(max_length=200)),
                ('upload', models.BinaryField(default=bytes)),
                ('status', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='running', max_length=10)),
                ('total', models.PositiveIntegerField(default=0, help_text='CDRs in the file.')),
                ('imported', models.PositiveIntegerField(default=0)),
                ('duplicates', models.PositiveIntegerField(default=0)),
                ('refused', models.PositiveIntegerField(default=0)),
                ('errors', models.JSONField(blank=True, default=list, help_text='Refused CDRs, and why.')),
                ('message', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'verbose_name': 'CDR import',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalPartner',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(help_text='Who the partner is, for staff.', max_length=100)),
                ('role', models.CharField(choices=[('EMSP', 'eMSP'), ('CPO', 'CPO'), ('HUB', 'Hub'), ('NAP', 'National access point'), ('NSP', 'Navigation service provider'), ('OTHER', 'Other'), ('SCSP', 'Smart charging service provider')], default='EMSP', max_length=8)),
                ('country_code', models.CharField(blank=True, help_text='ISO 3166 alpha-2; filled in by the handshake.', max_length=2)),
                ('party_id', models.CharField(blank=True, help_text='Their OCPI party id; filled in by the handshake.', max_length=3)),
                ('versions_url', models.URLField(blank=True, help_text='Needed to register with them; a partner registering with us sends its own.', max_length=500, verbose_name='their versions URL')),
                ('version', models.CharField(blank=True, editable=False, max_length=16)),
                ('endpoints', models.JSONField(blank=True, default=list, editable=False, help_text='Their 2.2.1 endpoints.')),
                ('state', models.CharField(choices=[('pending', 'Waiting for the handshake'), ('registered', 'Registered'), ('unregistered', 'Unregistered')], default='pending', editable=False, max_length=16)),
                ('inbound_token_final', models.BooleanField(default=False, editable=False, help_text='False while the partner holds a registration token (token A): it opens only the versions and credentials endpoints.')),
                ('business_name', models.CharField(blank=True, editable=False, max_length=100)),
                ('registered_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'verbose_name': 'historical partner',
                'verbose_name_plural': 'historical partners',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Partner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Who the partner is, for staff.', max_length=100)),
                ('role', models.CharField(choices=[('EMSP', 'eMSP'), ('CPO', 'CPO'), ('HUB', 'Hub'), ('NAP', 'National access point'), ('NSP', 'Navigation service provider'), ('OTHER', 'Other'), ('SCSP', 'Smart charging service provider')], default='EMSP', max_length=8)),
                ('country_code', models.CharField(blank=True, help_text='ISO 3166 alpha-2; filled in by the handshake.', max_length=2)),
                ('party_id', models.CharField(blank=True, help_text='Their OCPI party id; filled in by the handshake.', max_length=3)),
                ('versions_url', models.URLField(blank=True, help_text='Needed to register with them; a partner registering with us sends its own.', max_length=500, verbose_name='their versions URL')),
                ('version', models.CharField(blank=True, editable=False, max_length=16)),
                ('endpoints', models.JSONField(blank=True, default=list, editable=False, help_text='Their 2.2.1 endpoints.')),
                ('state', models.CharField(choices=[('pending', 'Waiting for the handshake'), ('registered', 'Registered'), ('unregistered', 'Unregistered')], default='pending', editable=False, max_length=16)),
                ('inbound_token_hash', models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True)),
                ('inbound_token_final', models.BooleanField(default=False, editable=False, help_text='False while the partner holds a registration token (token A): it opens only the versions and credentials endpoints.')),
                ('outbound_token', models.TextField(blank=True, editable=False, help_text='Sealed.')),
                ('business_name', models.CharField(blank=True, editable=False, max_length=100)),
                ('registered_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roaming_partners', to='cpo_portal.operator')),
            ],
            options={
                'ordering': ['operator', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Push',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('target_url', models.CharField(blank=True, help_text='Last or next target; the sender is asked again at each attempt.', max_length=600)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('rejected', 'Rejected by the recipient'), ('expired', 'Expired (ttl ran out)'), ('undeliverable', 'Undeliverable (no registered URL, or refused)'), ('failed', 'Failed (retries used up)'), ('superseded', 'Superseded by a later change')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('leased_until', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('module', models.CharField(choices=[('tariffs', 'Tariffs'), ('locations', 'Locations')], max_length=16)),
                ('object_id', models.CharField(max_length=64, verbose_name='OCPI id')),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pushes', to='roaming.partner')),
            ],
            options={
                'verbose_name_plural': 'pushes',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='PushAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('started_at', models.DateTimeField()),
                ('duration_ms', models.PositiveIntegerField(default=0)),
                ('method', models.CharField(default='POST', max_length=8)),
                ('target_url', models.CharField(max_length=600)),
                ('status_code', models.PositiveIntegerField(blank=True, null=True, verbose_name='HTTP status')),
                ('outcome', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('rejected', 'Rejected by the recipient'), ('expired', 'Expired (ttl ran out)'), ('undeliverable', 'Undeliverable (no registered URL, or refused)'), ('failed', 'Failed (retries used up)'), ('superseded', 'Superseded by a later change')], max_length=16)),
                ('error', models.TextField(blank=True)),
                ('response_excerpt', models.CharField(blank=True, max_length=500)),
                ('ocpi_status', models.PositiveIntegerField(blank=True, null=True, verbose_name='OCPI status')),
                ('body', models.TextField(blank=True, help_text='What was sent.')),
                ('push', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts_made', to='roaming.push')),
            ],
            options={
                'ordering': ['push', 'number'],
            },
        ),
        migrations.CreateModel(
            name='ReceivedCdr',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('country_code', models.CharField(max_length=2)),
                ('party_id', models.CharField(max_length=3)),
                ('cdr_id', models.CharField(max_length=39, verbose_name='CDR id')),
                ('source', models.CharField(choices=[('push', 'Pushed to our CDRs endpoint'), ('file', 'Imported from a file')], max_length=8)),
                ('channel', models.CharField(choices=[('beckn', 'Beckn'), ('roaming', 'OCPI roaming'), ('own_app', 'Own app'), ('other', 'Other')], max_length=8)),
                ('session_start', models.DateTimeField()),
                ('session_end', models.DateTimeField()),
                ('energy_kwh', models.DecimalField(decimal_places=3, max_digits=10)),
                ('currency', models.CharField(max_length=3)),
                ('charged_excl_vat', models.DecimalField(decimal_places=2, help_text='total_cost.excl_vat: what the charging system billed.', max_digits=12, verbose_name='charged (excl. VAT)')),
                ('charged_incl_vat', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='charged (incl. VAT)')),
                ('our_excl_vat', models.DecimalField(blank=True, decimal_places=2, help_text='Our tariff for the same time, place and energy (none: not priceable).', max_digits=12, null=True, verbose_name='our price (excl. VAT)')),
                ('our_incl_vat', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='our price (incl. VAT)')),
                ('price_note', models.CharField(blank=True, help_text='Why our price is missing, when it is.', max_length=200)),
                ('audit_excl_vat', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='price by its tariff (excl. VAT)')),
                ('audit_cause', models.CharField(blank=True, choices=[('matches', "Billed at the tariff's price"), ('offer', 'One of our offers'), ('surge', 'A surge OCPI does not publish'), ('parking', 'Parking time'), ('metering', 'Metering (charging periods)'), ('tariff', 'A different tariff'), ('unexplained', 'Unexplained: mis-billing'), ('unpriced', 'Not priced')], help_text='Blank: not audited yet.', max_length=12)),
                ('audit_note', models.CharField(blank=True, max_length=300)),
                ('data', models.JSONField(verbose_name='the CDR as received')),
                ('received_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('charger', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cpo_portal.charger')),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cpo_portal.operator')),
                ('partner', models.ForeignKey(blank=True, help_text='Who pushed it (none for a file import).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='roaming.partner')),
                ('station', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'verbose_name': 'received CDR',
                'verbose_name_plural': 'received CDRs',
                'ordering': ['-session_start', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='partner',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'registered')), fields=('operator', 'country_code', 'party_id', 'role'), name='one_registered_partner_per_party'),
        ),
        migrations.AddIndex(
            model_name='push',
            index=models.Index(fields=['state', 'next_attempt_at'], name='push_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='push',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'pending')), fields=('partner', 'module', 'object_id'), name='one_pending_push_per_object'),
        ),
        migrations.AddIndex(
            model_name='receivedcdr',
            index=models.Index(fields=['operator', 'session_start'], name='cdr_operator_start'),
        ),
        migrations.AddConstraint(
            model_name='receivedcdr',
            constraint=models.UniqueConstraint(fields=('operator', 'country_code', 'party_id', 'cdr_id'), name='one_cdr_per_operator_party_id'),
        ),
    ]
