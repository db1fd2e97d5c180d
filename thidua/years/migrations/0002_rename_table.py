"""The moved table takes the years app's name, and its content type (admin log, permissions) moves with it."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def move_content_type(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label="years", model="emulationyear").exists():
        return
    content_type.objects.filter(app_label="agreements", model="emulationyear").update(app_label="years")


def restore_content_type(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="years", model="emulationyear").update(app_label="agreements")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("years", "0001_initial"),
        ("agreements", "0002_emulation_year_in_years_app"),
    ]

    operations = [
        migrations.AlterModelTable(name="emulationyear", table=None),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
