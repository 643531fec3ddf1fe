from django.apps import apps
from django.contrib.auth.management import create_permissions

from portal.roles import sync_roles


def sync_roles_after_migrate(sender, using, **kwargs):
    """Keep the role groups in step with the code after every migrate (tests included)."""
    if sender.name != "portal":
        return
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles()
