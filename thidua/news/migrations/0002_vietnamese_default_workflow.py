"""Wagtail's first migrations make a workflow and a task named "Moderators approval" (its default
group's name + " approval"). No news site uses them (each has its own "Duyệt tin …"), but editors and
managers see the name in the admin's workflow reports and filters: give it a Vietnamese one."""

from django.db import migrations

ENGLISH = "Moderators approval"
VIETNAMESE = "Duyệt chung của Wagtail (không trang tin nào dùng)"


def to_vietnamese(apps, schema_editor):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=ENGLISH).update(name=VIETNAMESE)


def to_english(apps, schema_editor):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=VIETNAMESE).update(name=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(to_vietnamese, to_english)]
