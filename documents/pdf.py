"""HTML to PDF with WeasyPrint (SPEC 9), in a worker and never inside a transaction.

The templates extend `documents/pdf_base.html`: A4, the insurer's name in the header,
the reference, version and "page x / y" in the footer, and Noto Sans CJK SC for every
character, taken from its GB 2312 cut (documents.fonts) when built. WeasyPrint embeds only
the glyphs used, subset by HarfBuzz when libharfbuzz-subset is installed (ENVIRONMENT.md:
0.19 s a page against 9 s with fontTools); `tests/documents` read the embedded fonts back
with `pdffonts`.

The text of a document is Chinese whatever the language of whoever asked for it: an
issued document is a record that never changes (its hash is kept), so its wording does
not depend on a translation catalogue or a reader's choice of language.
"""

import atexit
import functools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from documents import fonts
from documents.registry import renderer_for

# The language of dates and numbers formatted by templates in the PDF.
DOCUMENT_LANGUAGE = "zh-hans"
# The cut-down faces first, the whole font for any character they lack (documents.fonts).
FONT_FAMILIES = f'"{fonts.FAMILY}", "{fonts.SOURCE_FAMILY}", sans-serif'


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
                "font_families": FONT_FAMILIES,
            },
        )


def _font_folder() -> Path:
    root = Path(settings.DOCUMENT_FONT_DIR) / "loaded"
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        if folder.name.isdigit() and not _running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    own = root / str(os.getpid())
    shutil.rmtree(own, ignore_errors=True)  # a copy left there would not be loaded again
    own.mkdir()
    return own


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@functools.cache
def _renderer_setup():
    """The process's font configuration and font stylesheet, made once and shared by its
    renderings: with a new configuration each time, WeasyPrint copied the 3.5 MB faces
    into a fresh temporary folder and Pango measured every glyph again on each document.

    Imported here, by the workers that render: importing WeasyPrint takes about a second
    (it parses its own stylesheets), which web processes, which only serve stored files,
    need not pay at start.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    # WeasyPrint copies each @font-face into a temporary folder of the configuration and
    # removes it when the configuration is collected, which a pool process that is
    # killed at shutdown never does: 3.7 MB left in /tmp each time. The folder is ours
    # instead, named after the process, and those of ended processes are removed here.
    font_config._folder = _font_folder()
    stylesheets = []
    if face_css := fonts.font_face_css():
        stylesheets.append(CSS(string=face_css, font_config=font_config))
    return font_config, stylesheets


def release() -> None:
    """Let go of the font configuration, whose __del__ removes its copies of the faces:
    left to the end of the interpreter, it would run when the modules it needs are gone."""
    _renderer_setup.cache_clear()


atexit.register(release)


def _render_html(html: str) -> RenderedPdf:
    from weasyprint import HTML

    font_config, stylesheets = _renderer_setup()
    rendered = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=stylesheets, font_config=font_config
    )
    return RenderedPdf(content=rendered.write_pdf(), page_count=len(rendered.pages))


def render_pdf(document) -> RenderedPdf:
    return _render_html(document_html(document))


def warm_up() -> None:
    """Make a worker process ready to render: WeasyPrint imported, both faces loaded and
    measured, so that the first document a worker takes is not the slowest (a worker's
    first rendering took 2.3 s, its next ones 0.2 s)."""
    _render_html(
        f"<html lang='zh-Hans'><body style='font-family: {FONT_FAMILIES}'>"
        "<p>信用保险 Credit insurance 0123456789</p><p><b>赔款 ¥1,234.56</b></p>"
        "</body></html>"
    )
