from celery import shared_task

from portal.api.services import idempotency_keys_purge


@shared_task
def purge_idempotency_keys():
    """Beat: forget stored API answers older than the retention (24 h)."""
    return idempotency_keys_purge()
