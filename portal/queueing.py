"""Queue a Celery task from a service, by the task's dotted path.

A ``tasks.py`` is a thin wrapper that imports its services; a service that queues one of those
tasks names it instead of importing it, so the two modules never import each other.

A request that queues a task must not hang when the broker is down: the broker's connection
timeout and publish retry policy are in the settings (a few hundred milliseconds in all), and the
tasks queued here declare ``ignore_result=True`` (their rows record the outcome), so no result
backend is waited for either.
"""

import logging

from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The broker cannot be reached: the task was not queued."""


def enqueue(task_path: str, *args) -> None:
    """Queue the task at ``task_path`` now; raises ``QueueUnavailable`` when the broker cannot be
    reached. It runs in place when tasks run eagerly, as ``.delay()`` does."""
    try:
        import_string(task_path).delay(*args)
    except OperationalError as error:
        logger.warning("Task %s not queued: the broker is unreachable (%s)", task_path, error)
        raise QueueUnavailable from error


def queue_on_commit(task_path: str, *args, on_unavailable=None) -> None:
    """Queue the task at ``task_path`` (``"app.tasks.name"``) with ``args`` once the current
    transaction commits (at once outside one), so a worker never looks for rows not yet written.

    When the broker cannot be reached, ``on_unavailable()`` records it (a job marked failed, with
    why); without one, ``QueueUnavailable`` is raised."""

    def send():
        try:
            enqueue(task_path, *args)
        except QueueUnavailable:
            if on_unavailable is None:
                raise
            on_unavailable()

    transaction.on_commit(send)
