from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thidua.accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from thidua.accounts import backends, second_step, security_log

        backends.connect_signals()
        security_log.connect_signals()
        second_step.connect_signals()
