"""Real processes on this machine: our own PostgreSQL and Redis, API servers, a projector.

Everything listens on 127.0.0.1 on spare ports and lives in a temporary directory, so
stopping or killing any of it harms nothing else (the shared servers on 5432 and 6379
are never touched). PostgreSQL runs as the `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SECRET = "system-suite-secret-that-is-long-enough-0123456789"
START_TIMEOUT_S = 60.0
SCHEDULER = str(Path(sys.executable).with_name("scheduler"))
"""The installed `scheduler` command of this environment."""


def spare_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class OwnPostgres:
    """A PostgreSQL server of our own in a temporary directory."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="scheduler-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = spare_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        """The DATABASE_URL of the `scheduler` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/scheduler"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        if not self.durable:
            # The suite kills processes, never the machine; fsync only guards against
            # the operating system losing its page cache.
            options += " -c fsync=off"
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (`immediate`: like a crash, no checkpoint)."""
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"),
            check=True,
            capture_output=True,
        )

    def create_database(self) -> None:
        """Create the `scheduler` database."""
        import psycopg  # noqa: PLC0415 - only the system suite needs it here

        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE DATABASE scheduler")

    def remove(self) -> None:
        """Stop (if running) and delete the directory."""
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """A Redis server of our own (no persistence), as a child process."""

    def __init__(self) -> None:
        self.port = spare_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self) -> None:
        """Kill the server (SIGKILL: an outage, not a shutdown)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class Service:
    """One `scheduler` process (serve or project) with its environment and log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    def start(self) -> None:
        """Start the process (output appended to its log)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [SCHEDULER, *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: the process dies mid-request, no clean-up runs."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def terminate(self, timeout_s: float = 30.0) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout_s)

    def log(self) -> str:
        """What the process printed so far."""
        return self.log_path.read_text(errors="replace")


class Cluster:
    """PostgreSQL, Redis, N API processes and one projector, started and stopped at will."""

    def __init__(self, api_processes: int = 2, *, durable: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="scheduler-system-"))
        self.postgres = OwnPostgres(durable=durable)
        self.redis = OwnRedis()
        self.apis: list[Service] = []
        self.projector: Service | None = None
        self.api_processes = api_processes

    def env(self) -> dict[str, str]:
        """The environment every scheduler process of this cluster shares."""
        return {
            **os.environ,
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "SCHEDULER_JWT_SECRET": SECRET,
            "SCHEDULER_DATA_DIR": str(self.root / "var"),
            "SCHEDULER_REDIS_PREFIX": "system:",
            "SCHEDULER_STORE_THREADS": "8",
            # The load is one dispatcher booking hundreds of times a minute on purpose;
            # rate limits have their own tests.
            "SCHEDULER_BOOKING_LIMIT": "1000000",
            "SCHEDULER_LOGIN_LIMIT": "1000",
            "CREATE_TABLE": "n",
        }

    def start_datastores(self) -> None:
        """PostgreSQL (with the database), Redis, then `scheduler migrate`."""
        self.postgres.start()
        self.postgres.create_database()
        self.redis.start()
        migrate = subprocess.run(
            [SCHEDULER, "migrate"],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr

    def start_apis(self) -> None:
        """Start every API process and wait until each is ready."""
        for index in range(self.api_processes):
            port = spare_port()
            service = Service(f"api{index}", ["serve", "--port", str(port)], self.env(), self.root)
            service.port = port
            self.apis.append(service)
            service.start()
        for service in self.apis:
            self.wait_ready(service)

    def restart_api(self, service: Service) -> None:
        """Start a stopped API process again on its port and wait until it is ready."""
        service.start()
        self.wait_ready(service)

    def start_projector(self) -> None:
        """Start the projector (`scheduler project`)."""
        self.projector = Service("projector", ["project"], self.env(), self.root)
        self.projector.start()

    def base_url(self, service: Service) -> str:
        """Where `service` listens."""
        return f"http://127.0.0.1:{service.port}"

    def wait_ready(self, service: Service, timeout_s: float = START_TIMEOUT_S) -> None:
        """Poll /ready until 200; fail with the process's log if it never is."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert service.process is not None
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited:\n{service.log()}")
            try:
                if httpx.get(self.base_url(service) + "/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{service.name} not ready in {timeout_s} s:\n{service.log()}")

    def close(self) -> None:
        """Stop everything and delete the temporary directories."""
        for service in [*self.apis, *([self.projector] if self.projector else [])]:
            if service.process is not None and service.process.poll() is None:
                service.process.kill()
                service.process.wait()
        self.redis.stop()
        self.postgres.remove()
        shutil.rmtree(self.root, ignore_errors=True)
