"""``make run`` and the documented ``streamlit run ui/app.py`` listen on the loopback interface
only, as the kernel's socket table shows.

The test starts the real commands from the project folder (for ``make run``, this interpreter's
environment as the venv; ``-o`` keeps make from reinstalling it) and reads the addresses the
server's port is bound to from ``/proc/net/tcp`` and ``/proc/net/tcp6``, so it holds whatever the
Makefile, the project's ``.streamlit/config.toml`` or Streamlit's defaults say.
"""

from __future__ import annotations

import ipaddress
import shutil
import sys
from pathlib import Path

import pytest
from servers import ROOT, clean_environment, free_port, running  # tests/e2e/servers.py

LISTEN = "0A"


def _address(hex_address: str) -> str:
    """``0100007F`` -> ``127.0.0.1``; IPv6 is four little-endian 32-bit words."""
    raw = bytes.fromhex(hex_address)
    return str(ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))))


def listening_addresses(port: int) -> set[str]:
    """Every local address a socket listens on at ``port``, IPv4 and IPv6."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:] if table.exists() else []:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == LISTEN and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def _make_run(venv: Path, port: int) -> list[str]:
    return ["make", "-C", str(ROOT), "run", f"VENV={venv}", "-o", f"{venv}/.installed", f"PORT={port}"]


def _streamlit_run(venv: Path, port: int) -> list[str]:
    return [str(venv / "bin" / "streamlit"), "run", "ui/app.py", "--server.port", str(port)]


@pytest.mark.skipif(not Path("/proc/net/tcp").exists() or shutil.which("make") is None, reason="needs Linux and make")
@pytest.mark.parametrize("command", [_make_run, _streamlit_run], ids=["make run", "streamlit run ui/app.py"])
def test_the_app_listens_on_loopback_only(command, tmp_path: Path) -> None:
    port = free_port()
    env = clean_environment(PLAYBOOK_DATA_DIR=str(tmp_path / "data"))
    health = f"http://127.0.0.1:{port}/_stcore/health"
    with running(command(Path(sys.executable).parent.parent, port), cwd=ROOT, env=env, log=tmp_path / "run.log", health=health, what="the app"):
        addresses = listening_addresses(port)
    assert addresses == {"127.0.0.1"}, addresses
