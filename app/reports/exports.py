"""A highlight report as PDF: WeasyPrint renders the same accessible HTML document the HTML export is."""

from __future__ import annotations


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here: the system's Pango library is missing."""


def pdf_of(document: str) -> bytes:
    """The PDF of a rendered report document (CPU-bound: call it in a thread). WeasyPrint tags the PDF
    from the HTML's headings and lists, and embeds fonts from the system, so nothing is fetched."""
    try:
        from weasyprint import HTML
    except OSError as missing:  # WeasyPrint loads Pango when imported
        raise PdfUnavailable("PDF export needs the Pango library on the server: apt-get install libpango-1.0-0 "
                             "libpangoft2-1.0-0 (the HTML download works without it).") from missing

    return HTML(string=document, base_url=None, url_fetcher=_refuse).write_pdf(pdf_variant="pdf/ua-1")


def _refuse(url: str, *args, **kwargs):
    """No network at run time: a report document links nothing it needs to fetch, and must not start."""
    raise ValueError(f"a report document may not load {url[:80]!r}")
