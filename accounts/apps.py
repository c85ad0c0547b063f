from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    # Groups follow the code after every migrate (and test flush). post_migrate fires once per
    # app and permissions are created app by app, so act on the last app's signal only.
    from django.apps import apps

    # Apps without models get no post_migrate signal: the last one *with* models is the last.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        from accounts.roles import roles_sync

        roles_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # After the last app's migrations, so every permission named by a role exists.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.roles_sync")
        from accounts.roles import ROLE_LABELS
        from audit.presenters import audit_detail_values_register

        # The audit log shows roles by their name in the viewer's language.
        audit_detail_values_register(("role", "previous_role"), ROLE_LABELS)
