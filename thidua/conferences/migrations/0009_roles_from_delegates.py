"""The chair, the secretary and the parent body's representative become delegates holding a role, so the
minutes name each person once (issue 15, part 2). A conference's typed names are kept: each goes to the
delegate of that name, or to a new guest delegate when nobody on the list bears it."""

from typing import Any

from django.db import migrations, models

ROLES = ("chair", "secretary", "supervisor")


def typed_names_to_delegates(apps: Any, schema_editor: Any) -> None:
    Conference = apps.get_model("conferences", "Conference")
    Delegate = apps.get_model("conferences", "Delegate")
    for conference in Conference.objects.all():
        for role in ROLES:
            name = " ".join(getattr(conference, role).split())
            if not name:
                continue
            delegate = next(
                (
                    d
                    for d in Delegate.objects.filter(conference=conference, role="").order_by("pk")
                    if d.full_name.casefold() == name.casefold()
                ),
                None,
            )
            if delegate is None:
                Delegate.objects.create(conference=conference, full_name=name[:150], role=role)
            else:
                delegate.role = role
                delegate.save(update_fields=["role"])


def delegates_to_typed_names(apps: Any, schema_editor: Any) -> None:
    Conference = apps.get_model("conferences", "Conference")
    Delegate = apps.get_model("conferences", "Delegate")
    for delegate in Delegate.objects.exclude(role=""):
        Conference.objects.filter(pk=delegate.conference_id).update(**{delegate.role: delegate.full_name})


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0008_mixed_polls"),
        ("organizations", "0005_officeholders"),
    ]

    operations = [
        migrations.AddField(
            model_name="delegate",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("chair", "Chủ trì hội nghị"),
                    ("secretary", "Thư ký hội nghị"),
                    ("supervisor", "Đại diện cơ quan cấp trên dự, chỉ đạo"),
                ],
                max_length=12,
                verbose_name="vai trò tại hội nghị",
            ),
        ),
        migrations.RunPython(typed_names_to_delegates, delegates_to_typed_names),
        migrations.AddConstraint(
            model_name="delegate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", ""), _negated=True),
                fields=("conference", "role"),
                name="one_delegate_per_conference_role",
            ),
        ),
        migrations.RemoveField(model_name="conference", name="chair"),
        migrations.RemoveField(model_name="conference", name="secretary"),
        migrations.RemoveField(model_name="conference", name="supervisor"),
    ]
