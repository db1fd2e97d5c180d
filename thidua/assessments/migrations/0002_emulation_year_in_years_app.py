"""Foreign keys to EmulationYear follow it to the years app; the database constraint is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0001_initial'),
        ('years', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='assessment',
                    name='emulation_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='years.emulationyear', verbose_name='năm thi đua'),
                ),
                migrations.AlterField(
                    model_name='reviewassignment',
                    name='emulation_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='review_assignments', to='years.emulationyear'),
                ),
            ],
            database_operations=[],
        ),
    ]
