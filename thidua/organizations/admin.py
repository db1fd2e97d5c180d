from django.contrib import admin

from thidua.organizations.models import Organization, OrganizationName, WomenShare


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


@admin.register(WomenShare)
class WomenShareAdmin(admin.ModelAdmin):
    """Read only, for system administrators: officers record the figure on the organization's page, which
    checks it and writes the audit trail (`services.record_women_share`)."""

    list_display = ["organization", "year", "percent", "source"]
    list_filter = ["year"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
