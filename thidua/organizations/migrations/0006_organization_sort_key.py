"""Each organization's current name as a key the database sorts by in Vietnamese dictionary order, so
the organization list pages in SQL (issue 16). Existing rows get theirs from their latest name."""

from typing import Any

from django.db import migrations, models

from thidua.lib.text import sort_text


def fill_sort_keys(apps: Any, schema_editor: Any) -> None:
    Organization = apps.get_model("organizations", "Organization")
    OrganizationName = apps.get_model("organizations", "OrganizationName")
    latest: dict[int, str] = {}
    for organization_id, name in OrganizationName.objects.order_by("valid_from").values_list(
        "organization_id", "name"
    ):
        latest[organization_id] = name
    for organization in Organization.objects.all():
        organization.sort_key = sort_text(latest.get(organization.pk, organization.code))
        organization.save(update_fields=["sort_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_officeholders"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="sort_key",
            field=models.TextField(db_index=True, default="", editable=False),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
    ]
