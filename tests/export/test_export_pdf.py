"""The PDF: the HTML page in print (contents with page numbers, bookmarks, the notes first), fetching nothing."""

from __future__ import annotations

import http.server
import io
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator

import pypdf
import pytest

from assistant.api import ExportDocument, ExportStep
from assistant.export import render


@pytest.fixture(scope="module")
def pdf(offline_studio, offline_run_id) -> bytes:
    return render(offline_studio.run_document(offline_studio.run(offline_run_id)), "pdf")


def _outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of the bookmarks, two levels deep."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth < 2:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_the_pdf_names_itself_and_has_a_bookmark_per_step_in_chain_order(pdf: bytes, offline_document: ExportDocument) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    meta = reader.metadata
    assert meta.title == offline_document.title and meta.author == "AtlasFlow" and meta.creator == "Escalation Playbook Studio"
    outline = _outline(reader)
    assert [title for depth, title, _ in outline if depth == 1] == [
        "Contents", "Escalation Playbook", "Role Runbooks", "Training & QA Program", "Checklist appendix",
    ]
    pages = [page for depth, _, page in outline if depth == 1]
    assert pages[0] == 1 and pages == sorted(pages) and len(set(pages)) == len(pages)  # each step on pages of its own
    assert pages[-1] <= len(reader.pages) and len(reader.pages) > 20


def test_every_contents_link_goes_to_the_page_of_its_heading(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    destinations = {name: reader.get_destination_page_number(d) + 1 for name, d in reader.named_destinations.items()}
    links = [
        annotation.get_object()["/Dest"]
        for page in reader.pages[:4]
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link" and "/Dest" in annotation.get_object()
    ]
    names = [str(link) for link in links]
    assert len(names) > 60 and all(name in destinations for name in names)
    by_title = {title: page for _, title, page in _outline(reader)}
    assert destinations["role-runbooks"] == by_title["Role Runbooks"]
    assert destinations["checklist-appendix"] == by_title["Checklist appendix"] > by_title["Role Runbooks"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed: run `make system-deps`")
def test_the_first_page_says_offline_and_lists_the_contents_with_page_numbers(pdf: bytes, tmp_path) -> None:
    (tmp_path / "set.pdf").write_bytes(pdf)
    first = subprocess.run(["pdftotext", "-l", "1", "-layout", str(tmp_path / "set.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Offline draft: composed from your inputs" in first
    assert first.index("Offline draft") < first.index("Contents")
    assert re.search(r"Escalation Playbook \.{5,} *\d+", first)


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """A loopback web server that records every request it gets."""
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen.append(f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def test_images_named_in_an_answer_are_never_fetched_from_the_network_or_the_disk(listener: list[str], tmp_path) -> None:
    base = listener.pop(0)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    text = f"## Routing\n\n![status]({base}/pixel.png)\n\n![local]({secret.as_uri()})\n\nPage the SRE on call.\n"
    document = ExportDocument(
        title="Set", pack="escalation-procedure", provider="openai", model="m", created_at="2026-01-01",
        steps=[ExportStep(id="playbook", title="Escalation Playbook", status="done", text=text)],
    )
    data = render(document, "pdf")
    assert data.startswith(b"%PDF-") and listener == []
    assert b"not an image" not in data
