"""The child process of the reader's memory test: reads one file, reports its peak memory.

Preloaded by a forkserver (Django set up once), so that each file is read in a fresh process
whose peak resident memory (``VmHWM``) counts nothing but this reading.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.test import override_settings  # noqa: E402

from portal.reading import UnreadableFileError, read_table  # noqa: E402


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def measure(data: bytes, file_format: str, overrides: dict, connection) -> None:
    """Send (outcome, rows read, peak growth in bytes) down ``connection``; the rows read are
    kept until the end, as an import keeps them."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak starts again from what the process holds now
    baseline = _status_kb("VmRSS")
    rows = []  # a refused file's rows read so far count too: an import holds them until then
    with override_settings(**overrides):
        try:
            for row in read_table(data, file_format):
                rows.append(row)
            outcome = "read"
        except UnreadableFileError as error:
            outcome = f"refused: {error}"
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            outcome = f"crashed: {error!r}"
    peak = _status_kb("VmHWM")
    connection.send((outcome, len(rows), (peak - baseline) * 1024))
    connection.close()
