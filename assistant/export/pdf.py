"""A PDF: the HTML page laid out for print by WeasyPrint (Pango from the system, nothing fetched).

It keeps everything the page has (the notes on the first page, the contents, now with page
numbers, and the checklist appendix) and adds a bookmark outline from the headings. Only
``data:`` URLs are read: an image or stylesheet named in an answer is never fetched, so text
from a model cannot make the exporter reach a network address or read a local file.
"""

from __future__ import annotations

from functools import lru_cache

from assistant.errors import ConfigurationError
from assistant.export.document import ExportDocument
from assistant.export.html import to_html

INSTALL_HINT = "PDF export needs the Pango library: on Debian or Ubuntu, apt-get install libpango-1.0-0 libpangoft2-1.0-0"


@lru_cache(maxsize=1)
def pdf_unavailable() -> str | None:
    """Why this machine cannot make PDFs (WeasyPrint or the system's Pango missing); None when it can."""
    try:
        import weasyprint  # noqa: F401  (loading it loads Pango)
    except (ImportError, OSError) as exc:
        return f"{INSTALL_HINT} ({type(exc).__name__}: {exc})"
    return None


def to_pdf_bytes(document: ExportDocument) -> bytes:
    """The PDF's bytes; a :class:`ConfigurationError` saying what to install when it cannot be made."""
    problem = pdf_unavailable()
    if problem:
        raise ConfigurationError(problem)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=to_html(document), url_fetcher=fetcher, media_type="print").write_pdf(pdf_tags=True)
