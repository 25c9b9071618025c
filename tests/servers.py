"""Real servers on 127.0.0.1 for tests and benches that need more than one process: a
throwaway PostgreSQL cluster, a redis-server and the site under gunicorn.

    with PostgresCluster() as postgres, Gunicorn(env={"DATABASE_URL": postgres.url}) as site:
        httpx.get(site.url("/"))
        postgres.restart()

Each waits until it answers before returning and stops what it started, by process id.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "test-only-secret-key-for-servers-started-by-the-suite-" + "x" * 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout:g} s")


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


class PostgresCluster:
    """initdb + pg_ctl on a free port, trust auth for user quizsite, like .ci/run. As root,
    PostgreSQL runs as the postgres user (it refuses root)."""

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
        self.bin = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="quizsite-pg-"))
        self.url = f"postgres://quizsite@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def __enter__(self) -> "PostgresCluster":
        self.dir.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "quizsite", "--auth=trust")
        self.start()
        return self

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c jit=off"
        data, log = str(self.dir / "data"), str(self.dir / "log")
        self._run("pg_ctl", "-D", data, "-l", log, "-w", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Ends every connection, as a server restart or failover does."""
        self.stop()
        self.start()

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """redis-server on a free loopback port, nothing kept on disk."""

    def __init__(self) -> None:
        self.executable = shutil.which("redis-server")
        if self.executable is None:
            raise RuntimeError("redis-server is not installed: apt-get install -y redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                self.executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=20, process=self.process)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _stop(self.process)


# The benches' takers all come from 127.0.0.1, many starting quizzes a minute: they measure
# the pages, not the limits on quiz starts, log-ins and sign-ups (quizzes/throttling.py), so
# they turn them off.
NO_START_LIMITS = {
    "QUIZSITE_QUIZ_STARTS_PER_MINUTE": "0",
    "QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE": "0",
    "QUIZSITE_QUIZ_STARTS_PER_DAY": "0",
    "QUIZSITE_GUEST_QUIZ_STARTS_PER_DAY": "0",
    "QUIZSITE_LOGINS_PER_15_MINUTES": "0",
    "QUIZSITE_SIGNUPS_PER_HOUR": "0",
}


def site_env(**overrides: str) -> dict[str, str]:
    """The environment of a site process: production-style, plain HTTP on 127.0.0.1."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "QUIZSITE_", "REDIS_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Gunicorn:
    """The site under gunicorn on a free port. `env` is a site_env(); the database must be
    migrated already (see `manage`)."""

    def __init__(
        self, *, env: dict[str, str], workers: int | None = 1, threads: int | None = 4
    ) -> None:
        """None for workers or threads keeps quizsite/gunicorn.py's number."""
        self.env = env
        self.port = free_port()
        self.options = []
        if workers is not None:
            self.options += ["--workers", str(workers)]
        if threads is not None:
            self.options += ["--threads", str(threads)]
        self.process: subprocess.Popen | None = None
        # Closed in __exit__: the server's output outlives __enter__.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "quizsite.wsgi",
                "--config",
                "python:quizsite.gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                *self.options,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, timeout=60, process=self.process)
        except RuntimeError:
            _stop(self.process)
            raise RuntimeError(f"gunicorn did not start:\n{self.output()}") from None
        return self

    def output(self) -> str:
        return self.full_output()[-5000:]

    def full_output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __exit__(self, *exc_info: object) -> None:
        _stop(self.process)
        self.log.close()


class Worker:
    """`manage.py db_worker` beside a Gunicorn, as `make serve` runs it: the background tasks
    (Quick quizzes planned ahead among them). `env` is the site's."""

    def __init__(self, *, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def __enter__(self) -> "Worker":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        _stop(self.process)
        self.log.close()


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def site_on_postgresql(
    var_dir: Path, **more_env: str
) -> Iterator[tuple[PostgresCluster, "Gunicorn"]]:
    """The site under gunicorn, one process of one thread (so a request after the database
    comes back surely reuses the connection it held), on a throwaway PostgreSQL cluster,
    migrated; connections kept for 600 s. `more_env`: more of the site's settings."""
    with PostgresCluster() as postgres:
        env = site_env(
            DATABASE_URL=postgres.url,
            DJANGO_CONN_MAX_AGE="600",
            QUIZSITE_VAR_DIR=str(var_dir),
            **more_env,
        )
        manage("migrate", "--no-input", env=env)
        manage("collectstatic", "--no-input", env=env)
        with Gunicorn(env=env, workers=1, threads=1) as site:
            yield postgres, site
