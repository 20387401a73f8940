"""Precision and recall of section coverage on real, human-written documents.

    .venv/bin/python benchmarks/real_documents.py [tune|heldout|all] [-v]

Each document in tests/data/real has a label naming the listed playbook sections it covers
(see tests/data/real/README.md). A positive is a (document, section) pair labelled covered; the
validator predicts one when the section is present, incomplete or found under another name.
Every error lint counts as false: the documents are finished, published policies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from assistant.packs import PackLibrary
from assistant.validation import validate_step
from assistant.validation.documents import read_document

REAL = Path(__file__).parents[1] / "tests" / "data" / "real"


def labels(which: str) -> list[dict]:
    found = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(REAL.glob("*.yaml"))]
    return [label for label in found if which in ("all", label["set"])]


def score(which: str, verbose: bool = False) -> dict[str, float | int]:
    library = PackLibrary()
    tp = fp = fn = errors = 0
    for label in labels(which):
        document = read_document(label["file"], (REAL / label["file"]).read_bytes())
        pack_name, step_id = label["checklist"].split("/")
        pack = library.get(pack_name)
        report = validate_step(document.text, pack, step_id, finished=True)
        covered = set(label["covered"])
        listed = {s.id for s in pack.checklist_for(step_id).listed}
        found = {s.id for s in report.sections if s.status != "missing" and s.id in listed}
        tp += len(found & covered)
        fp += len(found - covered)
        fn += len(covered - found)
        errors += len(report.errors)
        if verbose and (found != covered or report.errors):
            print(f"  {label['file']}: +{sorted(found - covered)} -{sorted(covered - found)} "
                  f"errors {[(e.code, e.line) for e in report.errors]}")
    return {
        "documents": len(labels(which)),
        "covered_labelled": tp + fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "false_error_lints": errors,
    }


if __name__ == "__main__":
    chosen = next((a for a in sys.argv[1:] if not a.startswith("-")), "tune")
    for key, value in score(chosen, verbose="-v" in sys.argv).items():
        print(f"{key}: {value}")
