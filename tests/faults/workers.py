"""A real Celery worker (and, where a test needs one, a Redis of its own) for the fault tests.

The worker is a separate process on the test's database; its output goes to a file, as reading
a live worker's pipe would block. Timeouts are shortened through the environment it reads.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check, timeout=90) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def start_worker(broker, media_root, log: Path, *, env=None, args=()):
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    environment = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": "",
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", *args]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "WARNING"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
        start_new_session=True,
    )


def stop(process, sig=signal.SIGTERM) -> None:
    """Stop a process started here and everything it started (its session)."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def pool_children(pid: int) -> list[int]:
    """The worker's pool processes (prefork): its direct children."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def send(broker, task, *args, queue=None) -> None:
    # An explicit connection: a CELERY_BROKER_URL in the environment (as on CI) would otherwise
    # win over Celery(broker=...) and send the task to another broker than the worker's.
    probe = Celery("fault-probe", set_as_current=False)  # the project's app stays current
    with probe.connection_for_write(broker) as connection_:
        probe.send_task(task, args=list(args), queue=queue, connection=connection_)
    probe.close()


class PrivateRedis:
    """A Redis server of the test's own on a free loopback port, without persistence (as the
    CI's): restarting it loses every message it held, which is what a broker restart can do."""

    def __init__(self, directory: Path):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        assert wait_for(lambda: self._pings(client), timeout=30), "Redis did not start"

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        stop(self.process, signal.SIGKILL)

    def restart(self) -> None:
        self.kill()
        self.start()

    def client(self):
        return redis.Redis.from_url(self.url)


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on this machine")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()
