from celery import shared_task


@shared_task
def ping():
    """Answer 'pong': lets operators (and the worker test) check that a worker consumes tasks."""
    return "pong"
