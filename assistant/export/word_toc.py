"""Word's table of contents: a real ``TOC`` field that Word fills in with page numbers on open.

python-docx has no API for fields, so the XML is written here. The field's cached result is
already the list of headings, each a link to a bookmark on its heading: readers that do not
update fields (LibreOffice, previewers, phones) still show working contents, and Word, asked by
``w:updateFields`` in the settings, rebuilds it with page numbers when the file opens.
"""

from __future__ import annotations

from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from assistant.export.contents import DEPTH, Entry

INSTRUCTION = f' TOC \\o "1-{DEPTH}" \\h \\z \\u '
UPDATE_HINT = (
    "Word fills in page numbers when it opens this file (answer Yes when it asks to update fields). "
    "Elsewhere, right-click the contents and choose Update Field."
)
#: the settings children that must come after ``w:updateFields`` (schema order)
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids")


def bookmark(paragraph: Any, number: int) -> str:
    """Wrap a heading's text in a bookmark (hidden, like Word's own ``_Toc`` ones); its name."""
    name = f"_Toc{number:08d}"
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    element = paragraph._p
    properties = element.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        element.insert(0, start)
    element.append(end)
    return name


def fill_contents(place: Any, entries: list[tuple[Entry, str]]) -> None:
    """Turn the empty paragraph ``place`` into the TOC field, its result listing ``entries``."""
    styles = place.part.document.styles
    for depth in range(1, DEPTH + 1):
        _toc_style(styles, depth)
    hint = place.insert_paragraph_before()
    hint.add_run()._r.append(_field_char("begin"))
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = INSTRUCTION
    hint.add_run()._r.append(instruction)
    hint.add_run()._r.append(_field_char("separate"))
    note = hint.add_run(UPDATE_HINT)
    note.italic = True
    note.font.size = Pt(9)
    note.font.color.rgb = RGBColor(0x57, 0x60, 0x6A)
    for entry, name in entries:
        line = place.insert_paragraph_before(style=f"toc {entry.depth}")
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), name)
        link.set(qn("w:history"), "1")
        link.append(line.add_run(entry.text)._r)
        line._p.append(link)
    place.add_run()._r.append(_field_char("end"))


def ask_to_update_fields(document: Any) -> None:
    """``<w:updateFields w:val="true"/>``: Word offers to refresh every field (the contents) on open."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.insert_element_before(update, *_AFTER_UPDATE_FIELDS)


def _field_char(kind: str) -> Any:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")
    return char


def _toc_style(styles: Any, depth: int) -> None:
    """Word's built-in "toc N" styles (python-docx's template only lists them as latent)."""
    name = f"toc {depth}"
    if any(style.name == name for style in styles):
        return
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.paragraph_format.left_indent = Pt(14 * (depth - 1))
    style.paragraph_format.space_after = Pt(2)
    if depth == 1:
        style.font.bold = True
        style.paragraph_format.space_before = Pt(6)
