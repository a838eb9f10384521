from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "toxinclinic.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and clinics"
