from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.dispatch import Signal

from portal.reference_data import load_reference_data
from portal.roles import sync_roles

#: Rows of ``sender`` were written in bulk or by an UPDATE (no save signal for each): sent by the
#: import job's bulk path, the case transitions, onboarding steps and the SLA flag. A save receiver that is also connected here marks itself ``bulk_notified = True``, so
#: it does not stop imports of the model from writing in bulk.
rows_written = Signal()


def sync_roles_after_migrate(sender, using, **kwargs):
    """Keep the role groups and reference data in place after every migrate.

    A flush (``manage.py flush``, transactional tests) empties every table and then sends
    post_migrate, so data that migrations loaded is restored here too.
    """
    if sender.name != "portal":
        return
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles()
    Province = apps.get_model("portal", "Province")
    if not Province.objects.using(using).exists():
        load_reference_data(Province, apps.get_model("portal", "PublicHoliday"))
