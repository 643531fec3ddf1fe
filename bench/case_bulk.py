"""The case Resource's ``bulk_write`` now lives in ``takedowns/resources.py``.

``bench/run.py`` falls back to this module only for a case Resource without ``bulk_write``; it is
kept as an alias so that fallback still names an importable class.
"""

from takedowns.resources import TakedownCaseResource as BulkTakedownCaseResource

__all__ = ["BulkTakedownCaseResource"]
