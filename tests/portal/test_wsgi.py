import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_process_freezes_the_loaded_project_for_the_garbage_collector():
    # In a process of its own: freezing is for the life of the process.
    script = "import gc, portal.wsgi; print(gc.get_freeze_count())"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert int(result.stdout) > 50_000
