"""Foreign keys to EmulationYear follow it to the years app; the database constraint is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('awards', '0001_initial'),
        ('years', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dossier',
                    name='emulation_year',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='dossier', to='years.emulationyear', verbose_name='năm thi đua'),
                ),
            ],
            database_operations=[],
        ),
    ]
