"""Every migration of cpo_portal up to 0010_station_stamp, as one: what a new database is made with (the
ones it replaces stay for a database made before)."""

import cpo_portal.db.values
import cpo_portal.models.operators
import django.core.validators
import django.db.models.deletion
import simple_history.models
import uuid
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('cpo_portal', '0001_initial'),
        ('cpo_portal', '0002_value_rules'),
        ('cpo_portal', '0003_operator_offer_combination'),
        ('cpo_portal', '0004_network_version'),
        ('cpo_portal', '0005_chunked_jobs'),
        ('cpo_portal', '0006_gst_in_percent'),
        ('cpo_portal', '0007_cds_operator_fees'),
        ('cpo_portal', '0008_catalogrefresh_changed_at'),
        ('cpo_portal', '0009_one_stamp'),
        ('cpo_portal', '0010_station_stamp'),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Charger',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Published as the Beckn item id, e.g. pe-charging-01.', max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like pe-charging-01).')], verbose_name='item id')),
                ('name', models.CharField(max_length=200)),
                ('power_kw', models.DecimalField(decimal_places=2, max_digits=7, validators=[django.core.validators.MinValueValidator(Decimal('0.1'), 'Power rating must be positive.')], verbose_name='power rating (kW)')),
                ('power_type', models.CharField(choices=[('AC_1_PHASE', 'AC single phase'), ('AC_3_PHASE', 'AC three phase'), ('DC', 'DC')], max_length=16)),
                ('charging_speed', models.CharField(choices=[('SLOW', 'Slow'), ('NORMAL', 'Normal'), ('FAST', 'Fast'), ('ULTRA_FAST', 'Ultra fast')], max_length=16)),
                ('categories', models.JSONField(blank=True, default=list, help_text='Category codes, e.g. ["ev-charger", "fast"].')),
                ('status', models.CharField(choices=[('Available', 'Available'), ('Occupied', 'Occupied'), ('Reserved', 'Reserved'), ('Unavailable', 'Unavailable'), ('Faulted', 'Faulted')], default='Available', max_length=16)),
            ],
            options={
                'ordering': ['station', 'code'],
            },
        ),
        migrations.CreateModel(
            name='Station',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Published as the Beckn location id.', max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like pe-charging-01).')], verbose_name='location id')),
                ('name', models.CharField(max_length=200)),
                ('address', models.CharField(max_length=300)),
                ('city', models.CharField(max_length=100)),
                ('city_code', models.CharField(help_text='Beckn city code, e.g. std:011.', max_length=32)),
                ('region_code', models.CharField(help_text='State or region code, e.g. DL, MH, KA.', max_length=16)),
                ('latitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('-90')), django.core.validators.MaxValueValidator(Decimal('90'))])),
                ('longitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('-180')), django.core.validators.MaxValueValidator(Decimal('180'))])),
                ('time_zone', models.CharField(default='Asia/Kolkata', max_length=64, validators=[cpo_portal.models.operators.validate_time_zone])),
                ('site_kind', models.CharField(choices=[('highway', 'Highway'), ('urban', 'Urban'), ('rural', 'Rural'), ('airport', 'Airport'), ('mall', 'Mall'), ('office', 'Office'), ('residential', 'Residential'), ('fleet', 'Fleet depot')], max_length=16)),
                ('opened_on', models.DateField(blank=True, help_text='Opening date (new-station launch offers).', null=True)),
                ('status', models.CharField(choices=[('active', 'Active'), ('maintenance', 'Under maintenance'), ('planned', 'Planned'), ('closed', 'Closed')], default='active', max_length=16)),
                ('instructions', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'ordering': ['operator', 'name'],
            },
        ),
        migrations.CreateModel(
            name='ChunkedJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('runner', models.CharField(help_text='Dotted path of the runner (cpo_portal.background.chunked.Runner).', max_length=200)),
                ('subject', models.CharField(help_text="What the job works for, e.g. 'whatif:42' (to cancel it).", max_length=120)),
                ('params', models.JSONField(blank=True, default=dict)),
                ('chunks', models.PositiveIntegerField()),
                ('progress_total', models.PositiveBigIntegerField(default=0)),
                ('status', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('cancelled', 'Cancelled'), ('failed', 'Failed')], default='running', max_length=10)),
                ('cancel_requested', models.BooleanField(default=False)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['subject'], name='chunked_job_subject')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalConnector',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('connector_id', models.CharField(default='1', max_length=16)),
                ('power_type', models.CharField(choices=[('AC_1_PHASE', 'AC single phase'), ('AC_3_PHASE', 'AC three phase'), ('DC', 'DC')], max_length=16)),
                ('connector_type', models.CharField(choices=[('CCS2', 'CCS2'), ('CHADEMO', 'CHAdeMO'), ('Type2', 'Type 2 (Mennekes)'), ('GB_T', 'GB/T'), ('BHARAT_AC001', 'Bharat AC-001'), ('BHARAT_DC001', 'Bharat DC-001'), ('Type1', 'Type 1 (J1772)')], max_length=16)),
                ('connector_format', models.CharField(choices=[('SOCKET', 'Socket'), ('CABLE', 'Cable')], default='SOCKET', max_length=8)),
                ('charging_speed', models.CharField(choices=[('SLOW', 'Slow'), ('NORMAL', 'Normal'), ('FAST', 'Fast'), ('ULTRA_FAST', 'Ultra fast')], max_length=16)),
                ('power_kw', models.DecimalField(decimal_places=2, max_digits=7, validators=[django.core.validators.MinValueValidator(Decimal('0.1'), 'Power rating must be positive.')], verbose_name='power rating (kW)')),
                ('status', models.CharField(choices=[('Available', 'Available'), ('Occupied', 'Occupied'), ('Reserved', 'Reserved'), ('Unavailable', 'Unavailable'), ('Faulted', 'Faulted')], default='Available', max_length=16)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('charger', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.charger')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical connector',
                'verbose_name_plural': 'historical connectors',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalOperator',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(db_index=True, help_text='The Beckn provider id, e.g. cpo1.com.', max_length=100, validators=[django.core.validators.RegexValidator('^[a-z0-9][a-z0-9.\\-]{1,99}$', 'Use lower-case letters, digits, dots and hyphens, like cpo1.com.')], verbose_name='provider id')),
                ('name', models.CharField(max_length=200)),
                ('short_desc', models.CharField(blank=True, max_length=300, verbose_name='short description')),
                ('logo_url', models.URLField(blank=True, verbose_name='logo URL')),
                ('currency', models.CharField(default='INR', help_text='ISO 4217 code; tariffs and imported OCPI tariffs must use it.', max_length=3, validators=[cpo_portal.db.values.currency_code])),
                ('time_zone', models.CharField(default='Asia/Kolkata', max_length=64, validators=[cpo_portal.models.operators.validate_time_zone])),
                ('gstin', models.CharField(blank=True, max_length=15, validators=[django.core.validators.RegexValidator('^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$', 'Not a valid 15-character GSTIN.')], verbose_name='GST registration (GSTIN)')),
                ('tax_rate', models.DecimalField(decimal_places=4, default=Decimal('0.18'), help_text='As a fraction: 0.18 is 18%.', max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'GST must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'GST must be between 0 %% and 100 %%.')], verbose_name='GST rate')),
                ('prices_include_tax', models.BooleanField(default=False, help_text='Listed prices already include GST.')),
                ('surge_notice_hours', models.PositiveIntegerField(default=0, help_text='Surge rules must be scheduled at least this far ahead.')),
                ('offer_combination', models.CharField(choices=[('ondc', 'Exclusive offers stand alone (ONDC: additive no)'), ('exclusive_plus_additives', 'Additive offers may also stack on top of an exclusive offer')], default='ondc', help_text='Whether additive offers may stack on top of an exclusive one. Either way the customer gets the combination that saves the most.', max_length=32, verbose_name='offer combination')),
                ('overcharge_buffer', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='Held on top of a quote against a session delivering more than estimated (a share of the amount payable), and released when the session is settled. Not revenue. 0 holds nothing.', max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'The overcharge estimation buffer must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'The overcharge estimation buffer must be between 0 %% and 100 %%.')], verbose_name='overcharge estimation buffer')),
                ('max_buyer_finder_fee', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text="The most a consumer app (BAP) may take for finding the customer, as a share of the sale before tax; an app asking more is charged this. Added to the customer's quote and paid to the app: a cost of the sale. 0 allows none.", max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'The maximum buyer finder fee must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'The maximum buyer finder fee must be between 0 %% and 100 %%.')], verbose_name='maximum buyer finder fee')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical operator',
                'verbose_name_plural': 'historical operators',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Operator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='The Beckn provider id, e.g. cpo1.com.', max_length=100, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9][a-z0-9.\\-]{1,99}$', 'Use lower-case letters, digits, dots and hyphens, like cpo1.com.')], verbose_name='provider id')),
                ('name', models.CharField(max_length=200)),
                ('short_desc', models.CharField(blank=True, max_length=300, verbose_name='short description')),
                ('logo_url', models.URLField(blank=True, verbose_name='logo URL')),
                ('currency', models.CharField(default='INR', help_text='ISO 4217 code; tariffs and imported OCPI tariffs must use it.', max_length=3, validators=[cpo_portal.db.values.currency_code])),
                ('time_zone', models.CharField(default='Asia/Kolkata', max_length=64, validators=[cpo_portal.models.operators.validate_time_zone])),
                ('gstin', models.CharField(blank=True, max_length=15, validators=[django.core.validators.RegexValidator('^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$', 'Not a valid 15-character GSTIN.')], verbose_name='GST registration (GSTIN)')),
                ('tax_rate', models.DecimalField(decimal_places=4, default=Decimal('0.18'), help_text='As a fraction: 0.18 is 18%.', max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'GST must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'GST must be between 0 %% and 100 %%.')], verbose_name='GST rate')),
                ('prices_include_tax', models.BooleanField(default=False, help_text='Listed prices already include GST.')),
                ('surge_notice_hours', models.PositiveIntegerField(default=0, help_text='Surge rules must be scheduled at least this far ahead.')),
                ('offer_combination', models.CharField(choices=[('ondc', 'Exclusive offers stand alone (ONDC: additive no)'), ('exclusive_plus_additives', 'Additive offers may also stack on top of an exclusive offer')], default='ondc', help_text='Whether additive offers may stack on top of an exclusive one. Either way the customer gets the combination that saves the most.', max_length=32, verbose_name='offer combination')),
                ('overcharge_buffer', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='Held on top of a quote against a session delivering more than estimated (a share of the amount payable), and released when the session is settled. Not revenue. 0 holds nothing.', max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'The overcharge estimation buffer must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'The overcharge estimation buffer must be between 0 %% and 100 %%.')], verbose_name='overcharge estimation buffer')),
                ('max_buyer_finder_fee', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text="The most a consumer app (BAP) may take for finding the customer, as a share of the sale before tax; an app asking more is charged this. Added to the customer's quote and paid to the app: a cost of the sale. 0 allows none.", max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0'), 'The maximum buyer finder fee must be between 0 %% and 100 %%.'), cpo_portal.db.values.ShareAtMost(Decimal('1'), 'The maximum buyer finder fee must be between 0 %% and 100 %%.')], verbose_name='maximum buyer finder fee')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('tax_rate__gte', 0), ('tax_rate__lte', 1)), name='operator_tax_rate_fraction'), models.CheckConstraint(condition=models.Q(('overcharge_buffer__gte', 0), ('overcharge_buffer__lte', 1)), name='operator_overcharge_buffer_fraction'), models.CheckConstraint(condition=models.Q(('max_buyer_finder_fee__gte', 0), ('max_buyer_finder_fee__lte', 1)), name='operator_max_buyer_finder_fee_fraction')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalStation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(help_text='Published as the Beckn location id.', max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like pe-charging-01).')], verbose_name='location id')),
                ('name', models.CharField(max_length=200)),
                ('address', models.CharField(max_length=300)),
                ('city', models.CharField(max_length=100)),
                ('city_code', models.CharField(help_text='Beckn city code, e.g. std:011.', max_length=32)),
                ('region_code', models.CharField(help_text='State or region code, e.g. DL, MH, KA.', max_length=16)),
                ('latitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('-90')), django.core.validators.MaxValueValidator(Decimal('90'))])),
                ('longitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('-180')), django.core.validators.MaxValueValidator(Decimal('180'))])),
                ('time_zone', models.CharField(default='Asia/Kolkata', max_length=64, validators=[cpo_portal.models.operators.validate_time_zone])),
                ('site_kind', models.CharField(choices=[('highway', 'Highway'), ('urban', 'Urban'), ('rural', 'Rural'), ('airport', 'Airport'), ('mall', 'Mall'), ('office', 'Office'), ('residential', 'Residential'), ('fleet', 'Fleet depot')], max_length=16)),
                ('opened_on', models.DateField(blank=True, help_text='Opening date (new-station launch offers).', null=True)),
                ('status', models.CharField(choices=[('active', 'Active'), ('maintenance', 'Under maintenance'), ('planned', 'Planned'), ('closed', 'Closed')], default='active', max_length=16)),
                ('instructions', models.CharField(blank=True, max_length=200)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'verbose_name': 'historical station',
                'verbose_name_plural': 'historical stations',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalHoliday',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date', models.DateField()),
                ('name', models.CharField(max_length=120)),
                ('region_code', models.CharField(blank=True, help_text='Empty: every region of the operator.', max_length=16)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'verbose_name': 'historical holiday',
                'verbose_name_plural': 'historical holidays',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='charger',
            name='operator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chargers', to='cpo_portal.operator'),
        ),
        migrations.CreateModel(
            name='StationStamp',
            fields=[
                ('station', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='rows_stamp', serialize=False, to='cpo_portal.station')),
                ('stamp', models.UUIDField(default=uuid.uuid4)),
            ],
        ),
        migrations.AddField(
            model_name='station',
            name='operator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stations', to='cpo_portal.operator'),
        ),
        migrations.CreateModel(
            name='HistoricalCharger',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(help_text='Published as the Beckn item id, e.g. pe-charging-01.', max_length=64, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}$', 'Use letters, digits, dots, hyphens and underscores (like pe-charging-01).')], verbose_name='item id')),
                ('name', models.CharField(max_length=200)),
                ('power_kw', models.DecimalField(decimal_places=2, max_digits=7, validators=[django.core.validators.MinValueValidator(Decimal('0.1'), 'Power rating must be positive.')], verbose_name='power rating (kW)')),
                ('power_type', models.CharField(choices=[('AC_1_PHASE', 'AC single phase'), ('AC_3_PHASE', 'AC three phase'), ('DC', 'DC')], max_length=16)),
                ('charging_speed', models.CharField(choices=[('SLOW', 'Slow'), ('NORMAL', 'Normal'), ('FAST', 'Fast'), ('ULTRA_FAST', 'Ultra fast')], max_length=16)),
                ('categories', models.JSONField(blank=True, default=list, help_text='Category codes, e.g. ["ev-charger", "fast"].')),
                ('status', models.CharField(choices=[('Available', 'Available'), ('Occupied', 'Occupied'), ('Reserved', 'Reserved'), ('Unavailable', 'Unavailable'), ('Faulted', 'Faulted')], default='Available', max_length=16)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.operator')),
                ('station', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cpo_portal.station')),
            ],
            options={
                'verbose_name': 'historical charger',
                'verbose_name_plural': 'historical chargers',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='charger',
            name='station',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chargers', to='cpo_portal.station'),
        ),
        migrations.CreateModel(
            name='Connector',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('connector_id', models.CharField(default='1', max_length=16)),
                ('power_type', models.CharField(choices=[('AC_1_PHASE', 'AC single phase'), ('AC_3_PHASE', 'AC three phase'), ('DC', 'DC')], max_length=16)),
                ('connector_type', models.CharField(choices=[('CCS2', 'CCS2'), ('CHADEMO', 'CHAdeMO'), ('Type2', 'Type 2 (Mennekes)'), ('GB_T', 'GB/T'), ('BHARAT_AC001', 'Bharat AC-001'), ('BHARAT_DC001', 'Bharat DC-001'), ('Type1', 'Type 1 (J1772)')], max_length=16)),
                ('connector_format', models.CharField(choices=[('SOCKET', 'Socket'), ('CABLE', 'Cable')], default='SOCKET', max_length=8)),
                ('charging_speed', models.CharField(choices=[('SLOW', 'Slow'), ('NORMAL', 'Normal'), ('FAST', 'Fast'), ('ULTRA_FAST', 'Ultra fast')], max_length=16)),
                ('power_kw', models.DecimalField(decimal_places=2, max_digits=7, validators=[django.core.validators.MinValueValidator(Decimal('0.1'), 'Power rating must be positive.')], verbose_name='power rating (kW)')),
                ('status', models.CharField(choices=[('Available', 'Available'), ('Occupied', 'Occupied'), ('Reserved', 'Reserved'), ('Unavailable', 'Unavailable'), ('Faulted', 'Faulted')], default='Available', max_length=16)),
                ('charger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='connectors', to='cpo_portal.charger')),
            ],
            options={
                'ordering': ['charger', 'connector_id'],
                'constraints': [models.UniqueConstraint(fields=('charger', 'connector_id'), name='connector_id_per_charger'), models.CheckConstraint(condition=models.Q(('power_kw__gt', 0)), name='connector_power_positive')],
            },
        ),
        migrations.CreateModel(
            name='JobChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('index', models.PositiveIntegerField()),
                ('progress', models.PositiveBigIntegerField(default=0)),
                ('runs', models.PositiveIntegerField(default=0, help_text='Times a worker started it (more than one: a worker was lost).')),
                ('done', models.BooleanField(default=False)),
                ('result', models.JSONField(blank=True, null=True)),
                ('cpu_seconds', models.FloatField(default=0.0, help_text="The chunk's process CPU time.")),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parts', to='cpo_portal.chunkedjob')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('job', 'index'), name='chunk_once_per_job')],
            },
        ),
        migrations.CreateModel(
            name='Holiday',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('name', models.CharField(max_length=120)),
                ('region_code', models.CharField(blank=True, help_text='Empty: every region of the operator.', max_length=16)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holidays', to='cpo_portal.operator')),
            ],
            options={
                'ordering': ['date'],
                'constraints': [models.UniqueConstraint(fields=('operator', 'date', 'region_code'), name='one_holiday_per_day_region')],
            },
        ),
        migrations.CreateModel(
            name='StaffMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('operator_admin', 'Operator admin'), ('pricing_manager', 'Pricing manager'), ('analyst', 'Analyst')], max_length=32)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='cpo_portal.operator')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'operator'), name='one_role_per_operator')],
            },
        ),
        migrations.CreateModel(
            name='Stamp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('network', "an operator's own row, stations, chargers and connectors"), ('pricing', "an operator's price books and the conditions they price under"), ('catalog', "what an operator's offer catalog is built from"), ('registry', 'the Beckn registry (for the whole installation)')], max_length=16)),
                ('stamp', models.UUIDField(default=uuid.uuid4)),
                ('changed_at', models.DateTimeField(blank=True, null=True)),
                ('operator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cpo_portal.operator')),
            ],
            options={
                'constraints': [models.UniqueConstraint(condition=models.Q(('operator__isnull', False)), fields=('operator', 'kind'), name='stamp_one_per_operator_and_kind'), models.UniqueConstraint(condition=models.Q(('operator__isnull', True)), fields=('kind',), name='stamp_one_per_kind_for_all')],
            },
        ),
        migrations.AddIndex(
            model_name='station',
            index=models.Index(fields=['latitude', 'longitude'], name='cpo_portal__latitud_50d2a6_idx'),
        ),
        migrations.AddConstraint(
            model_name='station',
            constraint=models.UniqueConstraint(fields=('operator', 'code'), name='station_code_per_operator'),
        ),
        migrations.AddConstraint(
            model_name='charger',
            constraint=models.UniqueConstraint(fields=('operator', 'code'), name='charger_code_per_operator'),
        ),
    ]
