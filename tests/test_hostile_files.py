"""Hostile files through the real CLI and engine: each ends in one clear line, bounded in time and memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.errors import ManifestError, TemplateRenderError, VariablesError
from assistant.packs import PackLibrary, parse_variables_yaml, prepare_variables, render_step

REPO = Path(__file__).resolve().parents[1]
#: a child process gets this much address space: a parser that expands a bomb dies instead of passing
MEMORY_LIMIT = 1_500 * 1024 * 1024


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines.append(f"company_name: *{chr(ord('a') + levels - 1)}")
    return "\n".join(lines) + "\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def playbook_limited(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """The real `playbook` command in a child process with capped memory; returns it and its wall time."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory,
    )
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (billion_laughs(), "aliases (&/*) expand to more than"),
        ("company_name: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested deeper than 64 levels"),
        ("company_name: Acme\nteam_size: " + "9" * 100_000 + "\n", "a number with 100,000 digits"),
        ("company_name: " + "x" * 3_000_000 + "\n", "too large"),
    ],
    ids=["billion-laughs", "nested-50000-deep", "100000-digit-number", "3-MB-file"],
)
def test_a_hostile_vars_file_is_one_line_exit_2_in_bounded_time_and_memory(tmp_path: Path, content: str, message: str) -> None:
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text(content, encoding="utf-8")
    result, seconds = playbook_limited("render", "escalation-procedure/playbook", "--vars", str(vars_file), cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert seconds < 20


def test_the_app_upload_parser_refuses_the_same_bomb() -> None:
    with pytest.raises(VariablesError, match="expand to more than"):
        parse_variables_yaml(billion_laughs(), "upload.yaml")


def test_ordinary_aliases_in_a_manifest_still_load(library: PackLibrary) -> None:
    # the built-in manifest shares its runbook windows through a YAML anchor
    runbooks = library.get("escalation-procedure").checklists["runbooks"]
    assert runbooks.section("incident_commander").items == runbooks.section("escalation_owner").items


def _user_pack(root: Path, template: str, extra: dict[str, str] | None = None) -> Path:
    folder = root / "packs" / "sneaky"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(
        textwrap.dedent(
            """\
            title: Sneaky
            variables:
              - {name: company_name, label: Company, required: true}
            steps:
              - {id: draft, title: Draft, template: draft.md.j2}
            """
        ),
        encoding="utf-8",
    )
    (folder / "draft.md.j2").write_text(template, encoding="utf-8")
    for name, target in (extra or {}).items():
        (folder / name).symlink_to(target)
    return root / "packs"


def _render_draft(packs: Path) -> str:
    pack = PackLibrary(packs).get("sneaky")
    return render_step(pack, pack.step("draft"), prepare_variables(pack, {"company_name": "Acme"})).user


def test_a_pack_cannot_include_a_file_through_a_link(tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("root:x:0:0:SECRET-LINE", encoding="utf-8")
    packs = _user_pack(tmp_path, "{% include 'link.txt' %}", {"link.txt": str(secret)})
    with pytest.raises(TemplateRenderError, match="is a link") as caught:
        _render_draft(packs)
    assert "SECRET-LINE" not in str(caught.value)


def test_a_pack_cannot_include_the_system_password_file_by_path(tmp_path: Path) -> None:
    packs = _user_pack(tmp_path, "{% include '../../../../../../etc/passwd' %}")
    with pytest.raises(TemplateRenderError) as caught:
        _render_draft(packs)
    assert "root:" not in str(caught.value)


@pytest.mark.parametrize(
    "template", ["{% for i in range(10**9) %}x{% endfor %}", "{{ 'x' * 10**10 }}", "{{ [1] * 10**9 }}", "{{ 2 ** (10 ** 8) }}"]
)
def test_a_template_that_would_exhaust_memory_is_blocked_with_a_clear_error(tmp_path: Path, template: str) -> None:
    with pytest.raises(TemplateRenderError, match="blocked by the template sandbox"):
        _render_draft(_user_pack(tmp_path, template))


def test_a_manifest_bomb_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "packs" / "bomb"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(billion_laughs(), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"manifest.yaml: its aliases"):
        PackLibrary(tmp_path / "packs").get("bomb")


@pytest.mark.parametrize(
    ("content", "message"),
    [(billion_laughs(), "aliases (&/*) expand to more than"), ("levels:\n  - level: " + "7" * 100_000 + "\n", "100,000 digits")],
    ids=["billion-laughs", "100000-digit-number"],
)
def test_a_hostile_policy_file_is_one_line_exit_2(tmp_path: Path, content: str, message: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(content, encoding="utf-8")
    result, seconds = playbook_limited("calibrate", "--tickets", str(tmp_path / "t.csv"), "--policy", str(policy), cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and message in lines[0], result.stderr[-2000:]
    assert seconds < 20


# --- disk and database faults ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 1 MB filesystem (tmpfs) for the history, so 'disk full' and 'read-only' are the kernel's own."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"needs permission to mount a tmpfs: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _env(tmp_path: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYBOOK_") and not k.endswith("_API_KEY")}
    return env | {"PLAYBOOK_DATA_DIR": str(tmp_path / "data"), "PLAYBOOK_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(REPO)}


def _fill(folder: Path, leave: int) -> None:
    """Fill a filesystem until only ``leave`` bytes are free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with (folder / "filler").open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("with_out", [True, False], ids=["--out", "recovery-folder"])
def test_a_full_disk_keeps_every_received_answer_and_says_where(small_disk: Path, tmp_path: Path, with_out: bool) -> None:
    from assistant.providers.loopback import LoopbackServer
    from assistant.store import Store

    database = small_disk / "history.db"
    Store(f"sqlite:///{database}").close()
    answer = "# Escalation Playbook\n\n" + "\n\n".join(f"## Part {n}\n\n" + "Escalate within 15 minutes. " * 90 for n in range(100))
    env = _env(tmp_path, database)
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text(subprocess.run([sys.executable, "-m", "assistant", "example", "escalation-procedure"], capture_output=True, text=True, env=env).stdout)
    out = tmp_path / "out"
    with LoopbackServer(lambda body: answer) as server:
        _fill(small_disk, leave=160 * 1024)
        args = ["run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook", "--provider", "openai",
                "--base-url", server.base_url, "--model", server.model, "--repair-rounds", "0"]
        result = subprocess.run([sys.executable, "-m", "assistant", *args, *(["--out", str(out)] if with_out else [])],
                                env=env, capture_output=True, text=True, timeout=120)
    assert len(answer) > 250_000
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "The history could not keep this run" in result.stderr and "the disk is full" in result.stderr, result.stderr[-3000:]
    folder = out if with_out else tmp_path / "data" / "recovered"
    assert f"the drafts are in {folder}" in result.stderr
    written = list(folder.rglob("playbook.md"))
    assert len(written) == 1 and written[0].read_text(encoding="utf-8").strip() == answer.strip()


def test_a_read_only_history_can_still_be_listed_and_exported(small_disk: Path, tmp_path: Path) -> None:
    database = small_disk / "history.db"
    env = _env(tmp_path, database)
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text(subprocess.run([sys.executable, "-m", "assistant", "example", "escalation-procedure"], capture_output=True, text=True, env=env).stdout)
    made = subprocess.run([sys.executable, "-m", "assistant", "run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    listed = subprocess.run([sys.executable, "-m", "assistant", "history", "--format", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    run_id = json.loads(listed.stdout)[0]["id"]
    exported = subprocess.run([sys.executable, "-m", "assistant", "export", run_id, "--format", "md", "--out", str(tmp_path / "x.md")],
                              env=env, capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0 and "Escalation" in (tmp_path / "x.md").read_text(encoding="utf-8"), exported.stderr
    refused = subprocess.run([sys.executable, "-m", "assistant", "run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "is read-only" in refused.stderr and "--no-history" in refused.stderr
    assert len(refused.stderr.strip().splitlines()[-1]) < 400 and "Traceback" not in refused.stderr


# --- echoed secrets ------------------------------------------------------------------------------------


class _EchoingServer:
    """A server that answers every request with 400 and echoes its credentials back, as some do."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                echo = (
                    f"rejected Authorization: {self.headers.get('authorization')} for "
                    "http://admin:hunter2pass@internal.example/v1?api-key=QUERYSECRET1 (also tried key sk-other-ECHOED-9z8y7x6w5v)"
                )
                payload = json.dumps({"error": {"message": echo, "type": "invalid_request_error"}}).encode()
                self.send_response(400)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> _EchoingServer:
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_credentials_a_server_echoes_are_removed_from_messages_history_and_run_json(tmp_path: Path) -> None:
    secret = "sk-test-OPERATOR-KEY-0a1b2c3d4e5f"
    echoed = [secret, "hunter2pass", "QUERYSECRET1", "sk-other-ECHOED-9z8y7x6w5v"]
    env = _env(tmp_path, tmp_path / "data" / "history.db") | {"OPENAI_API_KEY": secret}
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text(subprocess.run([sys.executable, "-m", "assistant", "example", "escalation-procedure"], capture_output=True, text=True, env=env).stdout)
    with _EchoingServer() as server:
        env["PLAYBOOK_BASE_URL"] = server.base_url  # the operator's own endpoint: the key may go there
        result = subprocess.run(
            [sys.executable, "-m", "assistant", "run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook",
             "--provider", "openai", "--model", "m", "--out", str(tmp_path / "out")],
            env=env, capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 1 and "rejected Authorization: Bearer ***" in result.stderr, result.stderr
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()] + list((tmp_path / "out").rglob("*"))
    assert any(p.name == "run.json" for p in written) and any(p.name.startswith("history.db") for p in written)
    for value in echoed:
        assert value not in result.stderr + result.stdout, value
        for path in written:
            assert value.encode() not in path.read_bytes(), (value, path)
