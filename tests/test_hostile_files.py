"""Hostile files through the real CLI and engine: each ends in one clear line, bounded in time and memory."""

from __future__ import annotations

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
