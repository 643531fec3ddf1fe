"""Queue a Celery task from a service, by the task's dotted path.

A ``tasks.py`` is a thin wrapper that imports its services; a service that queues one of those
tasks names it instead of importing it, so the two modules never import each other.
"""

from django.db import transaction
from django.utils.module_loading import import_string


def queue_on_commit(task_path: str, *args) -> None:
    """Queue the task at ``task_path`` (``"app.tasks.name"``) with ``args`` once the current
    transaction commits (at once outside one), so a worker never looks for rows not yet written.
    It runs in place when tasks run eagerly, as ``.delay()`` does."""
    transaction.on_commit(lambda: import_string(task_path).delay(*args))
