"""Every labelled answer in tests/data is judged exactly: missing sections,
statuses that matter, and every lint with its line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.validation import SectionResult, validate_step
from assistant.packs import PackLibrary

DATA = Path(__file__).parents[1] / "data"
#: answers/ was labelled first; heldout/ and blind3/ were written blind later by other authors, each
#: scored once before it was used (docs/validation.md has those first-pass figures)
FOLDERS = ("answers", "heldout", "blind3", "blind4")
FILES = sorted(p for folder in FOLDERS for p in (DATA / folder).glob("*.md") if p.name != "README.md")
#: answers a careful reader judges differently from the validator today (see docs/validation.md)
KNOWN_GAPS = {
    "pb_o1_invented_headings": "internal war-room prose quoting 'not our fault' is flagged like customer text",
}
#: a label's status word -> the report's (status, reason); "empty" is a heading with no real body. The labels
#: predate the fourth verdict: a section found under another name is "present" when it lacks nothing, else "incomplete"
VERDICTS = {
    "present": ("present", None),
    "incomplete": ("incomplete", None),
    "missing": ("missing", "absent"),
    "empty": ("missing", "empty"),
}


def _as_labelled(result: SectionResult) -> tuple[str, str | None]:
    if result.status == "renamed":
        return ("incomplete" if result.missing_items else "present", None)
    return (result.status, result.reason)


def _label(path: Path) -> dict:
    return yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))


def test_corpus_is_large_and_labelled() -> None:
    assert len(FILES) >= 130
    assert all(path.with_suffix(".yaml").is_file() for path in FILES)
    checklists = Counter(_label(p)["checklist"] for p in FILES)
    assert checklists["escalation-procedure/playbook"] >= 15
    assert checklists["escalation-procedure/runbooks"] >= 5


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[p.stem])) if p.stem in KNOWN_GAPS else p
        for p in FILES
    ],
    ids=[p.stem for p in FILES],
)
def test_answer_is_judged_exactly(path: Path, library: PackLibrary) -> None:
    label = _label(path)
    pack_name, step_id = label["checklist"].split("/")
    report = validate_step(path.read_text(encoding="utf-8"), library.get(pack_name), step_id)
    assert set(report.missing) == set(label.get("missing") or []), label.get("why")
    for section_id, status in (label.get("statuses") or {}).items():
        result = report.section(section_id)
        assert _as_labelled(result) == VERDICTS[status], (section_id, result.missing_items)
    expected = Counter((lint["code"], lint["line"]) for lint in label.get("lints") or [])
    assert Counter((lint.code, lint.line) for lint in report.lints) == expected, label.get("why")
