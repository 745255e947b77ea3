"""Organisations and representatives moved to the resources room (rows copied by resources 0002 with
their ids): the foreign keys now point there, and the old tables go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('participation', '0007_map_state_and_theme_run_details'),
        ('resources', '0002_organisations_from_participation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='proposal',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='proposals', to='resources.organisation', verbose_name='on behalf of'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='memberships', to='resources.organisation', verbose_name='on behalf of'),
        ),
        # Representatives first (their constraint and foreign key name the organisation table).
        migrations.DeleteModel(
            name='Representative',
        ),
        migrations.DeleteModel(
            name='Organisation',
        ),
    ]
