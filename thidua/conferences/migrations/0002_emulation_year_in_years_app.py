"""Foreign keys to EmulationYear follow it to the years app; the database constraint is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conferences', '0001_initial'),
        ('years', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='conference',
                    name='emulation_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conferences', to='years.emulationyear', verbose_name='năm thi đua'),
                ),
            ],
            database_operations=[],
        ),
    ]
