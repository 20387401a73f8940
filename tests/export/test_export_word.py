"""The Word file: heading structure, a real table of contents, and metadata of its own."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import docx
from docx.oxml.ns import qn

from assistant.api import ExportDocument, ExportStep
from assistant.export import render

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def word(document: ExportDocument) -> tuple[docx.document.Document, zipfile.ZipFile]:
    data = render(document, "docx")
    return docx.Document(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(data))


def headings(doc: docx.document.Document) -> list[tuple[int, str]]:
    found = []
    for paragraph in doc.paragraphs:
        match = re.fullmatch(r"Heading (\d)", paragraph.style.name)
        if match:
            found.append((int(match.group(1)), paragraph.text))
    return found


def test_every_step_starts_at_heading_1_in_chain_order_and_nested_headings_keep_their_depth(offline_document) -> None:
    doc, _ = word(offline_document)
    assert doc.paragraphs[0].style.name == "Title" and doc.paragraphs[0].text == offline_document.title
    found = headings(doc)
    assert [text for level, text in found if level == 1] == [
        "Escalation Playbook",  # the playbook's sections are ## in its Markdown: its document title heads it
        "Role Runbooks",  # one # per role: they go under the step's title
        "Training & QA Program",  # its one # title comes after the offline note, so it is not the step's title
        "Checklist appendix",
    ]
    position = {text: index for index, (_, text) in enumerate(found)}
    assert found[position["Escalation Playbook"] + 1] == (2, "Overview")
    assert (2, "3) Ownership Model (RACI)") in found and (3, "Role cards") in found
    runbooks = found[position["Role Runbooks"] :]
    assert runbooks[1:3] == [(2, "Escalation Owner / Customer Liaison runbook"), (3, "First 15 minutes")]
    training = found[position["Training & QA Program"] :]
    assert training[1:3] == [(2, "Escalation Training & QA Program — AtlasFlow"), (3, "1. Onboarding module")]
    # never deeper by more than one level at a time, so the contents nest cleanly
    levels = [level for level, _ in found]
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:]))


def test_the_contents_is_a_word_toc_field_that_word_updates_on_open(offline_document) -> None:
    doc, package = word(offline_document)
    body = package.read("word/document.xml").decode("utf-8")
    assert '<w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText>' in body
    kinds = re.findall(r'w:fldCharType="(\w+)"', body)
    assert kinds == ["begin", "separate", "end"]
    assert body.index("TOC \\o") < body.index("Escalation Playbook") and "Update Field" in body
    settings = package.read("word/settings.xml").decode("utf-8")
    assert '<w:updateFields w:val="true"/>' in settings
    assert settings.index("w:updateFields") < settings.index("<w:compat>")  # schema order, or Word calls the file corrupt


def test_every_contents_entry_links_to_the_bookmark_on_its_heading_in_order(offline_document) -> None:
    doc, _ = word(offline_document)
    marks = {}
    for paragraph in doc.paragraphs:
        for start in paragraph._p.iter(f"{W}bookmarkStart"):
            marks[start.get(qn("w:name"))] = (paragraph.style.name, paragraph.text)
    links = [
        (paragraph.style.name, link.get(qn("w:anchor")), "".join(t.text for t in link.iter(f"{W}t")))
        for paragraph in doc.paragraphs
        for link in paragraph._p.iter(f"{W}hyperlink")
    ]
    assert len(links) > 60
    for style, anchor, text in links:
        heading_style, heading_text = marks[anchor]
        assert heading_text == text
        assert style == f"toc {heading_style.split()[-1]}"  # Heading N is listed at contents level N
    in_body = [text for _, text in headings(doc) if text]
    listed = [text for _, _, text in links]
    assert listed == [text for level, text in headings(doc) if level <= 3]
    assert listed[0] == "Escalation Playbook" and listed[-1] == "Checklist appendix" and set(listed) <= set(in_body)


def test_the_file_describes_itself_instead_of_python_docx_template(offline_document) -> None:
    doc, package = word(offline_document)
    properties = doc.core_properties
    assert properties.title == offline_document.title
    assert properties.author == "AtlasFlow" and properties.last_modified_by == "AtlasFlow"
    assert properties.subject == "Escalation Playbook, Role Runbooks, Training & QA Program"
    assert properties.revision == 1
    now = datetime.now(UTC)
    for moment in (properties.created, properties.modified):
        assert now - timedelta(minutes=1) <= moment.replace(tzinfo=UTC) <= now + timedelta(seconds=1)
    metadata = package.read("docProps/core.xml").decode("utf-8") + package.read("docProps/app.xml").decode("utf-8")
    for leftover in ("python-docx", "Macintosh", "2013-12-23", "Normal.dotm"):
        assert leftover not in metadata
    assert "<Application>Escalation Playbook Studio</Application>" in metadata and "<Company>AtlasFlow</Company>" in metadata
    assert not any(name.startswith("docProps/thumbnail") for name in package.namelist())


def test_the_author_is_the_signed_in_person_else_the_organisation_else_the_studio(offline_document) -> None:
    signed_in = offline_document.model_copy(update={"author": "Dana Ops"})
    assert word(signed_in)[0].core_properties.author == "Dana Ops"
    anonymous = ExportDocument(
        title="Playbook", pack="escalation-procedure", provider="openai", model="m", created_at="2026-01-01",
        steps=[ExportStep(id="playbook", title="Escalation Playbook", status="done", text="## Levels\n\nL1.\n")],
    )
    assert word(anonymous)[0].core_properties.author == "Escalation Playbook Studio"


def test_the_offline_banner_is_on_the_first_page_before_the_contents(offline_document) -> None:
    doc, _ = word(offline_document)
    texts = [p.text for p in doc.paragraphs]
    banner = next(i for i, t in enumerate(texts) if t.startswith("Offline draft: composed from your inputs"))
    assert banner < texts.index("Contents") < texts.index("Escalation Playbook")
    assert "Checklist appendix" in texts
