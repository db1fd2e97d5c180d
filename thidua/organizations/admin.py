from django.contrib import admin

from thidua.organizations.models import Organization, OrganizationName


class NameInline(admin.TabularInline):
    model = OrganizationName
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """For system administrators; parent-body staff use thidua's own pages, which write the audit trail."""

    search_fields = ["code", "search_text"]
    list_display = ["code", "kind", "parent", "ended_on"]
    inlines = [NameInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
