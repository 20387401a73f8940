"""Word, HTML, Markdown and text documents become Markdown the validator reads, within bounds:
headings, lists and tables kept, scripts and pictures dropped, a zip bomb refused unread."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from assistant.bounded import MAX_ARCHIVE_BYTES, MAX_DOCUMENT_BYTES
from assistant.errors import UserInputError
from assistant.validation import read_document

REAL = Path(__file__).parents[1] / "data" / "real"


def _docx(build) -> bytes:
    doc = Document()
    build(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_a_word_file_keeps_its_headings_lists_and_tables() -> None:
    def build(doc) -> None:
        doc.core_properties.title = "Acme escalation policy"
        doc.add_heading("Escalation policy", level=1)
        doc.add_heading("Severity levels", level=2)
        table = doc.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Severity", "Response"
        table.cell(1, 0).text, table.cell(1, 1).text = "SEV-1", "15 minutes"
        doc.add_heading("Who does what", level=2)
        doc.add_paragraph("The incident_lead runs the call", style="List Bullet")

    document = read_document("policy.docx", _docx(build))
    assert document.kind == "docx" and document.converted and document.title == "Acme escalation policy"
    assert "# Escalation policy" in document.text and "## Severity levels" in document.text
    assert "| SEV-1 | 15 minutes |" in document.text
    assert "- The incident_lead runs the call" in document.text  # underscores are not escaped


def test_an_html_page_loses_its_scripts_and_keeps_its_text_inert() -> None:
    page = (
        "<html><head><title>Runbook</title><script>alert(1)</script><style>h1{}</style></head><body>"
        "<nav>Home | About</nav><h1>Runbook</h1><p onclick=\"steal()\">Call the <b>on-call</b> engineer.</p>"
        "<script>document.cookie</script><img src=\"x.png\"><p>&lt;script&gt;shown as text&lt;/script&gt;</p></body></html>"
    )
    document = read_document("runbook.html", page.encode())
    assert document.title == "Runbook" and document.notes == ["2 scripts removed", "1 picture left out"]
    assert "alert" not in document.text and "cookie" not in document.text and "Home | About" not in document.text
    assert "# Runbook" in document.text and "Call the **on-call** engineer." in document.text
    assert "onclick" not in document.text and "<script>shown as text</script>" in document.text  # text, as written


def test_markdown_and_text_are_kept_byte_for_byte() -> None:
    raw = "---\ntitle: Ours\n---\r\n## Levels\r\n\r\nTBD — see [hours](https://x)\r\n"
    assert read_document("ours.md", raw.encode()).text == raw
    assert read_document("ours.txt", b"\xef\xbb\xbfPlain text policy\n").text == "Plain text policy\n"  # BOM dropped
    assert read_document("ours.txt", "Plain".encode("utf-16")).text == "Plain"


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (MAX_ARCHIVE_BYTES + 1))
    data = buffer.getvalue()
    assert len(data) < 200_000  # small on disk, huge unpacked
    with pytest.raises(UserInputError, match="would unpack to"):
        read_document("bomb.docx", data)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("policy.docx", b"not a zip at all", "not a Word .docx file"),
        ("policy.pdf", b"%PDF-1.7", r"cannot read \.pdf; use one of \.md"),
        ("policy.md", "café".encode("latin-1"), "not UTF-8 text"),
        ("policy.md", b"x" * (MAX_DOCUMENT_BYTES + 1), "too large"),
        ("empty.html", b"<html><body><script>x</script></body></html>", "holds no text"),
    ],
)
def test_unreadable_files_end_in_one_clear_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        read_document(name, data)


def test_a_word_file_with_a_broken_part_is_a_clear_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(UserInputError, match="cannot be read as a Word document"):
        read_document("broken.docx", buffer.getvalue())


def test_deeply_nested_html_is_refused_not_crashed() -> None:
    page = "<div>" * 50_000 + "deep" + "</div>" * 50_000
    try:
        document = read_document("deep.html", page.encode())
    except UserInputError as exc:
        assert "nested too deeply" in exc.message
    else:
        assert "deep" in document.text


def test_the_real_word_and_html_documents_read_as_their_sources() -> None:
    playbook = read_document("dfe_incident_playbook.docx", (REAL / "dfe_incident_playbook.docx").read_bytes())
    assert playbook.text.startswith("# Incident playbook\n\n## Once an incident happens\n\n### 1. Form an incident response team")
    page = read_document("gds_incident_management.html", (REAL / "gds_incident_management.html").read_bytes())
    assert page.title == "How to manage technical incidents"
    assert "| P1 | Critical | Complete outage, or ongoing unauthorised access |" in page.text
