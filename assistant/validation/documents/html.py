"""HTML pages and exports (Confluence, Google Docs, a handbook site) as Markdown, via markdownify.

Only the page's content is kept: scripts, styles, forms, frames and embedded objects are dropped
before conversion, so nothing in the page can run or leak into the report; links stay as
Markdown links (their text is never a placeholder), pictures as nothing.
"""

from __future__ import annotations

import re

from assistant.errors import UserInputError
from assistant.validation.documents.reader import ImportedDocument

#: elements whose content is never part of the document's text
_DROPPED = ("script", "style", "noscript", "template", "iframe", "frame", "object", "embed", "svg", "canvas", "form",
            "nav", "head")
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_markdown(name: str, markup: str, kind: str = "html") -> ImportedDocument:
    """``markup`` converted to Markdown with ATX headings, ``-`` bullets and pipe tables."""
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    try:
        soup = BeautifulSoup(markup, "html.parser")
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        dropped = [tag for tag in soup.find_all(_DROPPED)]
        scripts = sum(1 for tag in dropped if tag.name == "script")
        for tag in dropped:
            tag.decompose()
        pictures = len(soup.find_all("img"))
        body = soup.body or soup
        text = MarkdownConverter(
            heading_style="ATX", bullets="-", strip=["img"], escape_misc=False, escape_underscores=False
        ).convert_soup(body)
    except RecursionError:
        raise UserInputError(f"{name}: its HTML is nested too deeply to read; export it again or save it as .docx.") from None
    notes = []
    if scripts:
        notes.append(f"{scripts} script{'s' if scripts != 1 else ''} removed")
    if pictures:
        notes.append(f"{pictures} picture{'s' if pictures != 1 else ''} left out")
    text = _BLANK_RUNS.sub("\n\n", text.replace("\r\n", "\n")).strip() + "\n"
    return ImportedDocument(name=name, kind=kind, text=text, title=title, notes=notes)
