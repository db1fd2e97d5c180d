from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thidua.accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from thidua.accounts.backends import connect_signals

        connect_signals()
