"""HTML to PDF with WeasyPrint (SPEC 9), in a worker and never inside a transaction.

The templates extend `documents/pdf_base.html`: A4, the insurer's name in the header,
the reference, version and "page x / y" in the footer, and Noto Sans CJK SC for every
character. WeasyPrint embeds only the glyphs used, subset by HarfBuzz when
libharfbuzz-subset is installed (ENVIRONMENT.md: 0.19 s a page against 9 s with
fontTools); `tests/documents` read the embedded fonts back with `pdffonts`.

The text of a document is Chinese whatever the language of whoever asked for it: an
issued document is a record that never changes (its hash is kept), so its wording does
not depend on a translation catalogue or a reader's choice of language.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from documents.registry import renderer_for

# The language of dates and numbers formatted by templates in the PDF.
DOCUMENT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def insurer_name() -> str:
    return (
        Organisation.objects.filter(kind=OrganisationKind.INSURER)
        .values_list("name", flat=True)
        .first()
        or ""
    )


def document_html(document) -> str:
    """The document's HTML: its renderer's template with its subject's context."""
    renderer = renderer_for(document.kind)
    context = renderer.context(document.subject)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            renderer.template,
            {
                **context,
                "document": document,
                # A renderer's context may name the document otherwise (a credit note).
                "title": context.get("title") or renderer.title,
                "insurer": insurer_name(),
            },
        )


def render_pdf(document) -> RenderedPdf:
    # Imported here, by the workers that render: importing WeasyPrint takes about a
    # second (it parses its own stylesheets), which web processes, which only serve
    # stored files, need not pay at start.
    from weasyprint import HTML

    html = HTML(string=document_html(document), base_url=str(settings.BASE_DIR))
    rendered = html.render()
    return RenderedPdf(content=rendered.write_pdf(), page_count=len(rendered.pages))
