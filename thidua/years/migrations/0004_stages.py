"""The year's status becomes its stage, in the order of the year (issue 12): drafting the agreement,
signing, in force, self-scoring, cross-checking, settled, conference, dossier, closed. Old values map onto
the new ones; the dossier gets its deadline."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

RENAMED = {"planning": "drafting", "scoring": "self_scoring", "reviewing": "cross_checking"}


def rename_values(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    year = apps.get_model("years", "EmulationYear")
    for old, new in RENAMED.items():
        year.objects.filter(stage=old).update(stage=new)


def restore_values(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    year = apps.get_model("years", "EmulationYear")
    for old, new in RENAMED.items():
        year.objects.filter(stage=new).update(stage=old)
    year.objects.filter(stage="in_force").update(stage="scoring")
    year.objects.filter(stage__in=["conference", "dossier"]).update(stage="settled")


class Migration(migrations.Migration):
    dependencies = [("years", "0003_reminder_days")]

    operations = [
        migrations.RenameField(model_name="emulationyear", old_name="status", new_name="stage"),
        migrations.AlterField(
            model_name="emulationyear",
            name="stage",
            field=models.CharField(
                choices=[
                    ("drafting", "Soạn giao ước"),
                    ("signing", "Ký giao ước"),
                    ("in_force", "Giao ước có hiệu lực"),
                    ("self_scoring", "Tự chấm điểm"),
                    ("cross_checking", "Chấm chéo, giải trình"),
                    ("settled", "Đã chốt điểm"),
                    ("conference", "Hội nghị tổng kết"),
                    ("dossier", "Hồ sơ đề nghị khen thưởng"),
                    ("closed", "Đã tổng kết"),
                ],
                default="drafting",
                max_length=16,
                verbose_name="giai đoạn",
            ),
        ),
        migrations.RunPython(rename_values, restore_values),
        migrations.AddField(
            model_name="emulationyear",
            name="dossier_due",
            field=models.DateField(blank=True, null=True, verbose_name="hạn gửi hồ sơ khen thưởng"),
        ),
    ]
