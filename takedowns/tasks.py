"""Thin Celery tasks: they call the services."""

from celery import shared_task

from takedowns import sla


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def flag_overdue_cases(self):
    """Beat task: flag forwarded cases past their SLA and e-mail the liaison (once per case)."""
    try:
        return len(sla.case_flag_overdue())
    except Exception as error:  # transient database or mail trouble: try again shortly
        raise self.retry(exc=error) from error
