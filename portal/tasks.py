from celery import shared_task
from django.utils import timezone

from portal.models import PublicHoliday
from portal.reference_data import load_public_holidays


@shared_task
def ping():
    """Answer 'pong': lets operators (and the worker test) check that a worker consumes tasks."""
    return "pong"


@shared_task
def load_next_year_holidays():
    """Yearly (beat): add next year's Thai public holidays, so SLA deadlines count them.

    Dates already in the table are kept as the supervisor edited them. Returns how many were added.
    """
    return load_public_holidays(PublicHoliday, [timezone.localdate().year + 1])
