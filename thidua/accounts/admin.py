from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from thidua.accounts.models import Role, User


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class ThiduaUserAdmin(UserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "full_name", "job_title", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Thông tin thêm", {"fields": ("full_name", "job_title")}))
