from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "thidua.backups"
    verbose_name = "Sao lưu"
