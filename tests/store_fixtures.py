"""Fixtures, shared helpers and process workers for the store tests in ``tests/store/``.

Workers live in this plain module so ``multiprocessing`` (spawn) can import them in a child.
The PostgreSQL fixture starts a throwaway cluster from the server binaries on this machine.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from multiprocessing import synchronize
from multiprocessing.queues import Queue
from typing import Any

import pytest
import sqlalchemy as sa

from assistant.store import Store

STEP_KEYS = ("playbook", "runbooks:comms_lead", "runbooks:sme_lead")
SHA = "a" * 64
USAGE = {"input_tokens": 1200, "output_tokens": 3400, "estimated": True}
_database_names = itertools.count(1)


# --- the database under test ----------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database in the throwaway cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"store_test_{next(_database_names)}"
    with psycopg.connect(
        host=server.host, port=server.port, user=server.username, dbname=server.database, autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store(db_url)
    yield opened
    opened.close()


# --- helpers --------------------------------------------------------------------------


def new_run(store: Store, **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "pack": "escalation-procedure",
        "variables": {"company_name": "AtlasFlow", "channels": ["email", "chat"]},
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "base_url": "http://localhost:8080/v1",
        "options": {"steps": ["playbook", "runbooks"], "concurrency": 4, "expert_system": True},
    }
    return store.create_run(**(fields | overrides))


def db_time(url: str, moment: datetime) -> datetime:
    """A timestamp as a raw SQL parameter: SQLite columns hold naive UTC, PostgreSQL's are aware."""
    return moment.replace(tzinfo=None) if url.startswith("sqlite") else moment


def table_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("runs", "steps", "step_versions", "response_cache")
            }
    finally:
        engine.dispose()


# --- a throwaway PostgreSQL cluster -------------------------------------------------------


def _postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl live: ``pg_config --bindir``, else the newest Debian install."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(found.stdout.strip()))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    return next((path for path in candidates if (path / "initdb").exists() and (path / "pg_ctl").exists()), None)


def _server_user() -> str | None:
    """The account to run the server as: initdb refuses root, so use ``postgres`` (or ``nobody``)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; under CI (where ``make test`` installs the server) fail."""
    if "CI" in os.environ:
        pytest.fail(f"{reason} (CI is set, so the PostgreSQL tests must run)")
    pytest.skip(f"{reason}; install PostgreSQL (apt-get install postgresql) to run the postgres tests")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a cluster on 127.0.0.1 (sockets in its tmp dir), create a database, yield its URL."""
    bindir = _postgres_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found via pg_config or /usr/lib/postgresql")
    assert bindir is not None
    user = _server_user()
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if user is None or runuser is None:
            _unavailable("running as root without a 'postgres' user and runuser to start the server with")
        assert user is not None and runuser is not None
        prefix = [runuser, "-u", user, "--"]

    root = Path(tempfile.mkdtemp(prefix="playbook-pg-"))
    if user is not None:
        shutil.chown(root, user=user)
    data, log = root / "data", root / "server.log"
    port = _free_port()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, *args], cwd=root, capture_output=True, text=True, check=False, timeout=120)

    started = False
    try:
        init = run(
            str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )
        if init.returncode != 0:
            pytest.fail(f"initdb failed: {init.stderr or init.stdout}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        start = run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        started = True
        if start.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"pg_ctl start failed: {start.stderr or start.stdout}\n{server_log}")

        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE playbook")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/playbook"
    finally:
        if started:
            stop = run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
            if stop.returncode != 0:
                run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


# --- writers (threads here, processes via spawn) --------------------------------------


def step_text(run_id: str, key: str, label: object) -> str:
    """Text that names its own run and step, so a row holding another run's text is visible."""
    return f"{run_id}/{key}/{label}"


def write_runs(url: str, worker: str, *, runs: int, checkpoints: int, store: Store | None = None) -> list[str]:
    """What the chain runner does to the store for ``runs`` runs of three steps each."""
    own = store is None
    store = store or Store(url)
    created: list[str] = []
    try:
        for number in range(runs):
            run_id = store.create_run(
                pack="escalation-procedure",
                variables={"worker": worker, "run": number},
                provider="scripted",
                model="scripted",
                base_url=None,
                options={"worker": worker, "concurrency": 4},
            )
            created.append(run_id)
            store.set_run_status(run_id, "running")
            for key in STEP_KEYS:
                store.start_step(run_id, key, prompt=step_text(run_id, key, "prompt"), system=None)
                for index in range(checkpoints):
                    store.checkpoint(run_id, key, step_text(run_id, key, index))
                store.finish_step(
                    run_id,
                    key,
                    status="done",
                    text=step_text(run_id, key, "final"),
                    usage={"input_tokens": 10, "output_tokens": 20, "estimated": False},
                    cost=0.001,
                )
            store.set_run_status(run_id, "done")
    finally:
        if own:
            store.close()
    return created


def process_writer(
    url: str, worker: str, runs: int, checkpoints: int, ready: Queue[str], go: synchronize.Event
) -> None:
    """Child process: report ready, wait for the common start, then open the store and write."""
    ready.put(worker)
    if not go.wait(120):
        raise TimeoutError("the parent never gave the start signal")
    write_runs(url, worker, runs=runs, checkpoints=checkpoints)


def process_dies_mid_step(url: str, run_id: str, key: str, ready: Queue[str]) -> None:
    """Child process: start a step, checkpoint some text, then keep streaming until killed."""
    store = Store(url)
    store.start_step(run_id, key, prompt="prompt", system=None)
    store.checkpoint(run_id, key, "## Escalation levels\nL1 ...")
    ready.put("checkpointed")
    while True:
        time.sleep(0.05)
        store.checkpoint(run_id, key, "## Escalation levels\nL1 ...")
