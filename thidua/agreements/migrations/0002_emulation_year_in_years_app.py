"""EmulationYear moves to the years app: the agreement's foreign key follows it, then the model leaves this
app's state. The table itself is renamed by years 0002; nothing is copied."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("assessments", "0002_emulation_year_in_years_app"),
        ("awards", "0002_emulation_year_in_years_app"),
        ("conferences", "0002_emulation_year_in_years_app"),
        ("years", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="agreement",
                    name="emulation_year",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreements",
                        to="years.emulationyear",
                        verbose_name="năm thi đua",
                    ),
                ),
                migrations.DeleteModel(name="EmulationYear"),
            ],
            database_operations=[],
        ),
    ]
