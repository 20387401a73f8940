"""Servers the browser tests drive: the app under ``streamlit run`` and any helper server, each a
subprocess on a free loopback port, up before the test starts and always stopped after it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any playbook setting or key, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PLAYBOOK_") and k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL")
    }
    return {**env, **extra}


def wait_until_up(url: str, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 45
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


@contextmanager
def running(command: list[str], *, cwd: Path, env: dict[str, str], log: Path, health: str, what: str) -> Iterator[None]:
    """A server subprocess, up (``health`` answers 200) for the block and always stopped after it,
    with every process it started (``make run`` starts streamlit)."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(health, process, log, what)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def streamlit_app(
    folder: Path, env: dict[str, str], *, cwd: Path = ROOT, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[Server]:
    """``streamlit run ui/app.py`` on a free loopback port, with ``folder/data`` as its data folder;
    ``cwd`` is where Streamlit looks for ``.streamlit/secrets.toml``."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian Chromium is not installed: run `make system-deps` (apt-get install chromium)")
    data_dir = folder / "data"
    log = folder / "server.log"
    port = port or free_port()
    command = [
        str(Path(sys.executable).with_name("streamlit")), "run", str(ROOT / "ui" / "app.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    url = f"http://{host}:{port}"
    env = {**env, "PLAYBOOK_DATA_DIR": str(data_dir)}
    with running(command, cwd=cwd, env=env, log=log, health=f"{url}/_stcore/health", what="streamlit"):
        yield Server(url=url, data_dir=data_dir, log=log)
