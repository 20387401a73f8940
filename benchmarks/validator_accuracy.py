"""Precision and recall of the validator's "missing" verdict on labelled answers.

    .venv/bin/python benchmarks/validator_accuracy.py tests/data/answers [more folders]

Each ``NAME.md`` has a ``NAME.yaml`` label (see tests/data/answers/README.md).
A "positive" is a (file, section) pair the label lists as missing (missing or
empty); lints are scored separately as exact (code, line) matches.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from assistant.validation import validate_step
from assistant.packs import PackLibrary


def score(folders: list[Path]) -> dict[str, float | int]:
    library = PackLibrary()
    tp = fp = fn = tn = files = exact = lint_expected = lint_found = lint_right = 0
    for folder in folders:
        for path in sorted(p for p in folder.glob("*.md") if p.name != "README.md"):
            label = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))
            pack_name, step_id = label["checklist"].split("/")
            pack = library.get(pack_name)
            report = validate_step(path.read_text(encoding="utf-8"), pack, step_id)
            expected = set(label.get("missing") or [])
            got = set(report.missing)
            for section in pack.checklist_for(step_id).sections:
                actual, predicted = section.id in expected, section.id in got
                tp += actual and predicted
                fp += predicted and not actual
                fn += actual and not predicted
                tn += not actual and not predicted
            want = Counter((l["code"], l["line"]) for l in label.get("lints") or [])
            have = Counter((l.code, l.line) for l in report.lints)
            lint_expected += sum(want.values())
            lint_found += sum(have.values())
            lint_right += sum((want & have).values())
            files += 1
            exact += got == expected and want == have
            if got != expected or want != have:
                print(f"  differs: {path.name}: missing +{sorted(got - expected)} -{sorted(expected - got)}; "
                      f"lints +{sorted((have - want).elements())} -{sorted((want - have).elements())}")
    return {
        "files": files,
        "judged_exactly": exact,
        "section_verdicts": tp + fp + fn + tn,
        "missing_labelled": tp + fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "lint_precision": round(lint_right / lint_found, 4) if lint_found else 1.0,
        "lint_recall": round(lint_right / lint_expected, 4) if lint_expected else 1.0,
    }


if __name__ == "__main__":
    folders = [Path(a) for a in sys.argv[1:]] or [Path("tests/data/answers")]
    for key, value in score(folders).items():
        print(f"{key}: {value}")
