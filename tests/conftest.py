"""Shared fixtures: every test runs offline, with no keys and a throwaway data folder."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.packs import prepare_variables
from assistant.packs import Pack, PackLibrary

REPO = Path(__file__).resolve().parent.parent


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # type: ignore[arg-type]
    except ValueError:
        return isinstance(address, (str, bytes))  # unix socket paths


@pytest.fixture(autouse=True)
def offline_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """No real keys, a private data dir, and no network beyond loopback."""
    for name in list(os.environ):
        if name.startswith("PLAYBOOK_") or name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLAYBOOK_DATA_DIR", str(tmp_path / "playbook-data"))
    if request.node.get_closest_marker("integration"):
        return
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: object) -> object:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise ConnectionRefusedError(f"tests run offline: refused a connection to {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(scope="session")
def library() -> PackLibrary:
    return PackLibrary()


@pytest.fixture(scope="session")
def procedure(library: PackLibrary) -> Pack:
    """The escalation-procedure pack (seeds 003/004)."""
    return library.get("escalation-procedure")


@pytest.fixture(scope="session")
def atlasflow(procedure: Pack) -> dict[str, str | list[str]]:
    """The pack's AtlasFlow example, prepared."""
    return prepare_variables(procedure, procedure.example)


@pytest.fixture
def playbook_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str, str]]:
    """Run the `playbook` command in-process: ``playbook_cli("validate", ...)`` -> (exit code, stdout, stderr)."""
    from assistant import cli

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["playbook", *args])
        with pytest.raises(SystemExit) as caught:
            cli.main()
        out, err = capsys.readouterr()
        return int(caught.value.code or 0), out, err

    return run
