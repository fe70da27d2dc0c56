"""Reads of documents, always through the visibility rule (core.scope, SPEC 2, 9).

A document is seen by whoever may see it by its policy and buyer; its file and status
only by whoever may also see its subject (a claim worksheet is not an insured's to read
before the claim is theirs to see), else 404.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404

from core.scope import can_see, visible
from documents.models import Document, DocumentStatusChange


def documents_visible_to(user) -> QuerySet:
    """Without the files: a list never needs them (the download reads its one file)."""
    return visible(user, Document).defer("content").select_related("subject_type")


def document_for(user, pk, *, with_content: bool = False) -> Document:
    """The document with id `pk` if `user` may see it and its subject, else Http404."""
    queryset = visible(user, Document).select_related("subject_type")
    if not with_content:
        queryset = queryset.defer("content")
    document = queryset.filter(pk=pk).first()
    if document is None or document.subject is None or not can_see(user, document.subject):
        raise Http404
    return document


def documents_of(user, subject: Model) -> list[Document]:
    """Every version of every document about `subject` that `user` may see, newest first
    within each kind; none if the subject itself is not the user's to see."""
    if not can_see(user, subject):
        return []
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return list(
        documents_visible_to(user)
        .filter(subject_type=subject_type, subject_id=subject.pk)
        .order_by("kind", "-version")
    )


def documents_of_many(user, subjects) -> dict[int, list[Document]]:
    """`documents_of` for a list of subjects of one model (the decisions on a limit's
    page), in two queries whatever their number: {subject id: its documents}."""
    subjects = [subject for subject in subjects if subject is not None]
    if not subjects:
        return {}
    model = type(subjects[0])
    seen = visible(user, model).filter(pk__in=[subject.pk for subject in subjects])
    subject_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    grouped: dict[int, list[Document]] = defaultdict(list)
    for document in (
        documents_visible_to(user)
        .filter(subject_type=subject_type, subject_id__in=seen.values("pk"))
        .order_by("kind", "-version")
    ):
        grouped[document.subject_id].append(document)
    return dict(grouped)


def document_history(user, document: Document) -> QuerySet:
    return (
        visible(user, DocumentStatusChange)
        .filter(document=document)
        .select_related("actor")
        .order_by("created_at", "id")
    )
