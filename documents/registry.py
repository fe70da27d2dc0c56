"""Which template and context make each kind of document (SPEC 9).

Each kind has one renderer, registered by its module in `documents/renderers/` when the
app is ready. A renderer reads its subject's app through that app's models or
selectors (documents sits above every app and may import them); nothing imports
documents.

- `template`: the HTML template, extending `documents/pdf_base.html`;
- `context(subject) -> dict`: what the template shows, read when the PDF is made;
- `title`: the document's title in the PDF (its legal, Chinese name);
- `filename(document) -> str`: the download's file name, fixed when it is requested;
- `parties(subject) -> (policy_id, buyer_id)`: whose document it is, for the visibility
  rule (core.scope); by default the subject's own `policy_id` and `buyer_id`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


def subject_parties(subject: Model) -> tuple[int | None, int | None]:
    """A subject's policy and buyer: its own fields of those names, if it has them."""
    if subject._meta.label == "policies.Policy":
        return subject.pk, None
    return getattr(subject, "policy_id", None), getattr(subject, "buyer_id", None)


@dataclass(frozen=True)
class Renderer:
    kind: str
    template: str
    context: Callable[[Model], dict]
    title: str
    filename: Callable
    parties: Callable[[Model], tuple[int | None, int | None]] = subject_parties


_renderers: dict[str, Renderer] = {}


def register(
    kind: str,
    *,
    template: str,
    context: Callable[[Model], dict],
    title: str,
    filename: Callable,
    parties: Callable[[Model], tuple[int | None, int | None]] = subject_parties,
) -> Renderer:
    """Make `kind` renderable; a second renderer for the same kind is a mistake."""
    if kind in _renderers:
        raise ValueError(f"A renderer for {kind!r} is already registered.")
    renderer = Renderer(
        kind=kind, template=template, context=context, title=title, filename=filename,
        parties=parties,
    )  # fmt: skip
    _renderers[kind] = renderer
    return renderer


def renderer_for(kind: str) -> Renderer:
    try:
        return _renderers[kind]
    except KeyError:
        raise LookupError(f"No renderer for documents of kind {kind!r}.") from None
