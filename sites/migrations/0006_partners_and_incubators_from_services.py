"""Partners, partner incubators and their managers, moved from `services` (services.0003)
with their tables: state only, nothing in the database changes but the content types'
app label."""

import core.validators
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["partner", "incubator", "incubatormembership"]


def content_types_follow(apps, schema_editor):
    """The moved models' content types (audit trail, admin history, permissions) follow."""
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="services", model__in=MOVED).update(app_label="tp_sites")


def content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="tp_sites", model__in=MOVED).update(app_label="services")


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0002_registration_activity_index"),
        ('tp_sites', '0005_languages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Partner',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('is_international', models.BooleanField(default=False, verbose_name='international')),
                        ('category', models.CharField(choices=[('bank', 'Bank'), ('fund', 'Investment fund'), ('corporate', 'Corporate'), ('university', 'University'), ('public_agency', 'Public agency'), ('association', 'Association'), ('incubator', 'Incubator')], max_length=20, verbose_name='category')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('website', models.URLField(blank=True, verbose_name='website')),
                        ('logo', models.ImageField(blank=True, upload_to='partners/logos/', validators=[core.validators.validate_logo], verbose_name='logo')),
                        ('contact_name', models.CharField(blank=True, max_length=150, verbose_name='contact person')),
                        ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='contact email')),
                        ('contact_phone', models.CharField(blank=True, max_length=13, validators=[django.core.validators.RegexValidator('^\\+212[5-8][0-9]{8}$', 'Enter a Moroccan number in the form +212 6XX XX XX XX.', code='invalid_phone')], verbose_name='contact phone')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'partner',
                        'verbose_name_plural': 'partners',
                        'db_table': 'services_partner',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Incubator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(max_length=60, unique=True, verbose_name='slug')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('website', models.URLField(blank=True, verbose_name='website')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('affiliated_site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='incubators', to='tp_sites.site', verbose_name='affiliated site')),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incubators', to='tp_sites.partner', verbose_name='partner')),
                    ],
                    options={
                        'verbose_name': 'incubator',
                        'verbose_name_plural': 'incubators',
                        'db_table': 'services_incubator',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='IncubatorMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('incubator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='tp_sites.incubator')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incubator_memberships', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'incubator manager',
                        'verbose_name_plural': 'incubator managers',
                        'db_table': 'services_incubatormembership',
                        'constraints': [models.UniqueConstraint(fields=('incubator', 'user'), name='one_incubator_membership')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
