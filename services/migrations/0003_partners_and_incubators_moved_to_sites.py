"""Partners, partner incubators and their managers moved to `tp_sites` (tp_sites.0006):
forgotten here, the relations pointing at them now point there; the tables are kept."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0002_registration_activity_index'),
        ('tp_sites', '0006_partners_and_incubators_from_services'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='incubatedstartup',
                    name='incubator',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incubated', to='tp_sites.incubator'),
                ),
                migrations.RemoveField(
                    model_name='incubatormembership',
                    name='incubator',
                ),
                migrations.RemoveField(
                    model_name='incubatormembership',
                    name='user',
                ),
                migrations.AlterField(
                    model_name='service',
                    name='partner',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='services', to='tp_sites.partner', verbose_name='partner'),
                ),
                migrations.AlterField(
                    model_name='programme',
                    name='incubators',
                    field=models.ManyToManyField(blank=True, related_name='programmes', to='tp_sites.incubator', verbose_name='partner incubators'),
                ),
                migrations.AlterField(
                    model_name='programme',
                    name='partners',
                    field=models.ManyToManyField(blank=True, related_name='programmes', to='tp_sites.partner', verbose_name='partners'),
                ),
                migrations.DeleteModel(
                    name='Incubator',
                ),
                migrations.DeleteModel(
                    name='IncubatorMembership',
                ),
                migrations.DeleteModel(
                    name='Partner',
                ),
            ],
        ),
    ]
