"""Requesting, rendering, failing, resuming and correcting documents (SPEC 9, 10)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from documents import registry, services
from documents.choices import DocumentStatus
from documents.models import Document, DocumentStatusChange
from documents.services import (
    MAX_ATTEMPTS,
    document_refresh,
    document_reissue,
    document_render,
    document_request,
    documents_resume,
)
from documents.tasks import render_document, resume_documents
from tests.documents.samples import sample_context, sample_renderer
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs made (the real engine still makes them)."""
    made = []
    real = services.render_pdf

    def counting(document):
        made.append(document.pk)
        return real(document)

    monkeypatch.setattr(services, "render_pdf", counting)
    return made


def _request(kind, subject, actor=None, capture=None):
    if capture is None:
        return document_request(kind=kind, subject=subject, actor=actor)
    with capture(execute=True):
        return document_request(kind=kind, subject=subject, actor=actor)


def _fresh(document) -> Document:
    return Document.objects.get(pk=document.pk)


# --- requesting -------------------------------------------------------------------------------


def test_a_request_queues_the_document_and_renders_nothing_until_commit(
    sample_kind, live_policy, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        document = document_request(kind=sample_kind, subject=live_policy)
    assert _fresh(document).status == DocumentStatus.QUEUED
    assert renders == [] and len(callbacks) == 1
    assert (document.policy_id, document.buyer_id) == (live_policy.pk, None)


def test_asking_again_returns_the_current_version(
    sample_kind, live_policy, renders, django_capture_on_commit_callbacks
):
    first = _request(sample_kind, live_policy, capture=django_capture_on_commit_callbacks)
    again = _request(sample_kind, live_policy, capture=django_capture_on_commit_callbacks)
    queued_twice = document_request(kind=sample_kind, subject=live_policy)
    assert first.pk == again.pk == queued_twice.pk
    assert Document.objects.count() == 1 and len(renders) == 1


def test_an_unknown_kind_is_refused_before_anything_is_written(live_policy):
    with pytest.raises(LookupError):
        document_request(kind="no_such_kind", subject=live_policy)
    assert not Document.objects.exists()


def test_a_kind_has_one_renderer(sample_kind):
    with pytest.raises(ValueError, match="already registered"):
        registry.register(sample_kind, template="x.html", context=dict, title="x", filename=str)


def test_references_count_up_per_kind(sample_kind, live_policy, insured_b):
    one = document_request(kind=sample_kind, subject=live_policy)
    two = document_request(kind=sample_kind, subject=PolicyFactory(insured=insured_b))
    first, second = (int(d.reference.rsplit("-", 1)[1]) for d in (one, two))
    assert second == first + 1


# --- rendering --------------------------------------------------------------------------------


def test_the_task_run_twice_renders_once(sample_kind, live_policy, renders):
    document = document_request(kind=sample_kind, subject=live_policy)  # not sent: no commit
    assert render_document.apply(args=[document.pk]).get() == DocumentStatus.ISSUED
    assert render_document.apply(args=[document.pk]).get() == DocumentStatus.ISSUED
    assert renders == [document.pk]
    assert _fresh(document).attempts == 1
    assert DocumentStatusChange.objects.filter(document=document, action="issue").count() == 1


def test_a_document_claimed_by_another_worker_is_left_to_it(sample_kind, live_policy, renders):
    document = document_request(kind=sample_kind, subject=live_policy)
    stale = _fresh(document)
    assert document_render(document_id=document.pk) == DocumentStatus.ISSUED
    # A second delivery read the row while it was queued; its compare-and-set finds it moved.
    claimed = services.transition(
        services.DOCUMENT_MACHINE, stale, "render", claim=True, job="render-document"
    )
    assert claimed is None and renders == [document.pk]


def _failing(policy):
    raise RuntimeError("保单数据缺失")


def test_a_failure_is_recorded_and_tried_again_up_to_three_times(
    live_policy, renders, django_capture_on_commit_callbacks
):
    with sample_renderer(context=_failing) as kind:
        document = _request(kind, live_policy, capture=django_capture_on_commit_callbacks)
    document = _fresh(document)
    assert document.status == DocumentStatus.FAILED
    assert document.attempts == MAX_ATTEMPTS == len(renders)
    assert document.error == "RuntimeError: 保单数据缺失"
    assert document.content == b"" and document.sha256 == ""
    actions = list(document.changes.values_list("action", flat=True))
    assert actions == ["request"] + ["render", "fail", "retry"] * 2 + ["render", "fail"]


def test_asking_for_a_failed_document_again_queues_it_with_fresh_attempts(
    live_policy, renders, django_capture_on_commit_callbacks
):
    with sample_renderer(context=_failing) as kind:
        failed = _request(kind, live_policy, capture=django_capture_on_commit_callbacks)
    with sample_renderer(context=sample_context) as kind:
        again = _request(kind, live_policy, capture=django_capture_on_commit_callbacks)
    again = _fresh(again)
    assert again.pk == failed.pk
    assert (again.status, again.attempts, again.error) == (DocumentStatus.ISSUED, 1, "")


# --- a killed worker --------------------------------------------------------------------------


def _age(document, minutes):
    Document.objects.filter(pk=document.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_the_sweep_queues_again_a_rendering_whose_worker_died(
    sample_kind, live_policy, renders, django_capture_on_commit_callbacks
):
    document = document_request(kind=sample_kind, subject=live_policy)
    services.transition(
        services.DOCUMENT_MACHINE, _fresh(document), "render", claim=True, job="render-document"
    )  # the worker claimed it, then was killed
    _age(document, 11)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_documents.apply().get() == 1
    document = _fresh(document)
    assert document.status == DocumentStatus.ISSUED and len(renders) == 1
    assert "resume" in document.changes.values_list("action", flat=True)


def test_the_sweep_sends_a_lost_queued_document_again_once_per_period(
    sample_kind, live_policy, django_capture_on_commit_callbacks
):
    document = document_request(kind=sample_kind, subject=live_policy)  # message never sent
    _age(document, 11)
    with django_capture_on_commit_callbacks() as callbacks:
        assert documents_resume() == 1
        assert documents_resume() == 0  # touched: not sent again before the next period
    assert len(callbacks) == 1
    assert _fresh(document).status == DocumentStatus.QUEUED


def test_the_sweep_leaves_recent_and_finished_documents_alone(
    sample_kind, live_policy, renders, django_capture_on_commit_callbacks
):
    issued = _request(sample_kind, live_policy, capture=django_capture_on_commit_callbacks)
    _age(issued, 60)
    document_request(kind=sample_kind, subject=PolicyFactory(insured=live_policy.insured))
    assert documents_resume() == 0


def test_stuck_means_longer_than_the_task_may_run(settings):
    assert services.STUCK_AFTER.total_seconds() > settings.CELERY_TASK_TIME_LIMIT


# --- corrections ------------------------------------------------------------------------------


@pytest.fixture
def issued(sample_kind, live_policy, django_capture_on_commit_callbacks):
    return _fresh(_request(sample_kind, live_policy, capture=django_capture_on_commit_callbacks))


def test_a_reissue_makes_version_2_and_keeps_version_1(
    issued, personas, django_capture_on_commit_callbacks
):
    content, sha256 = bytes(issued.content), issued.sha256
    with django_capture_on_commit_callbacks(execute=True):
        second = document_reissue(
            actor=personas["claims_handler"], document_id=issued.pk, reason="买方地址有误"
        )
    second, first = _fresh(second), _fresh(issued)
    assert (second.version, second.status, second.reissue_reason) == (2, "issued", "买方地址有误")
    assert second.reference == f"{first.reference}-V2"
    assert second.requested_by == personas["claims_handler"]
    assert (bytes(first.content), first.sha256, first.status) == (content, sha256, "issued")
    assert first.superseded_by == second and second.superseded_by is None
    # The current version is the newest: asking again returns it.
    assert document_request(kind=first.kind, subject=first.subject).pk == second.pk


def test_the_version_before_is_superseded_only_once_its_correction_is_issued(issued, personas):
    second = document_reissue(actor=personas["admin"], document_id=issued.pk, reason="更正")
    assert _fresh(issued).superseded_by is None
    document_render(document_id=second.pk)
    assert _fresh(issued).superseded_by_id == second.pk


def test_only_the_latest_issued_version_is_corrected(issued, personas):
    second = document_reissue(actor=personas["admin"], document_id=issued.pk, reason="更正")
    with pytest.raises(ValidationError) as old:
        document_reissue(actor=personas["admin"], document_id=issued.pk, reason="再更正")
    with pytest.raises(ValidationError) as queued:
        document_reissue(actor=personas["admin"], document_id=second.pk, reason="再更正")
    assert old.value.message_dict == {"reason": [str(services.ERROR_NOT_LATEST % {"version": 2})]}
    assert queued.value.message_dict == {"reason": [str(services.ERROR_NOT_ISSUED)]}


@pytest.mark.parametrize("reason", ["", "   ", "长" * 2001])
def test_a_reissue_needs_a_reason_within_bounds(issued, personas, reason):
    with pytest.raises(ValidationError) as refused:
        document_reissue(actor=personas["admin"], document_id=issued.pk, reason=reason)
    assert list(refused.value.message_dict) == ["reason"]


def test_only_insurer_staff_reissue(issued, personas):
    with pytest.raises(PermissionError):
        document_reissue(actor=personas["insured_a"], document_id=issued.pk, reason="更正")
    assert Document.objects.count() == 1


# --- refreshing after the subject changed (an edited or amended agreement) -----------------------


def test_a_refresh_without_a_document_makes_version_1(sample_kind, live_policy):
    document = document_refresh(kind=sample_kind, subject=live_policy, reason="改")
    assert (document.version, document.status, document.reissue_reason) == (1, "queued", "")


def test_a_refresh_of_a_queued_version_is_that_version(sample_kind, live_policy, renders):
    queued = document_request(kind=sample_kind, subject=live_policy)
    assert document_refresh(kind=sample_kind, subject=live_policy, reason="改").pk == queued.pk
    assert Document.objects.count() == 1 and renders == []


def test_a_refresh_of_an_issued_version_makes_the_next_with_its_reason(issued, personas):
    second = document_refresh(
        kind=issued.kind, subject=issued.subject, reason="协议草案已修改", actor=personas["admin"]
    )
    assert (second.version, second.status, second.reissue_reason) == (2, "queued", "协议草案已修改")
    assert second.reference == f"{issued.reference}-V2"


def test_a_refresh_of_a_failed_version_queues_it_again(sample_kind, live_policy, renders):
    document = document_request(kind=sample_kind, subject=live_policy)
    services.transition(services.DOCUMENT_MACHINE, document, "render", job="t")
    services.transition(services.DOCUMENT_MACHINE, document, "fail", job="t")
    again = document_refresh(kind=sample_kind, subject=live_policy, reason="改")
    assert (again.pk, _fresh(again).status) == (document.pk, "queued")


@pytest.mark.parametrize("older_first", [True, False])
def test_versions_made_while_the_one_before_renders_chain_in_order(
    sample_kind, live_policy, older_first
):
    """A change while version 1 is being rendered (from the subject as it was) makes
    version 2 at once; whichever is issued first, each supersedes only the one before."""
    first = document_request(kind=sample_kind, subject=live_policy)
    services.transition(services.DOCUMENT_MACHINE, first, "render", job="t")
    second = document_refresh(kind=sample_kind, subject=live_policy, reason="改")
    assert second.version == 2
    if older_first:
        services._issue(_fresh(first), b"%PDF-1", 1)
        document_render(document_id=second.pk)
    else:
        document_render(document_id=second.pk)
        services._issue(_fresh(first), b"%PDF-1", 1)
    assert (_fresh(first).status, _fresh(second).status) == ("issued", "issued")
    assert (_fresh(first).superseded_by_id, _fresh(second).superseded_by_id) == (second.pk, None)


# --- an issued document never changes -----------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE documents_document SET content = 'x'::bytea WHERE id = %s",
        "UPDATE documents_document SET sha256 = repeat('0', 64) WHERE id = %s",
        "UPDATE documents_document SET reference = 'LN-2026-999999' WHERE id = %s",
        "UPDATE documents_document SET page_count = 9 WHERE id = %s",
        "DELETE FROM documents_document WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_issued_document(issued, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [issued.pk])
    assert _fresh(issued).sha256 == issued.sha256


def test_the_orm_cannot_change_an_issued_document_either(issued):
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=issued.pk).update(content=b"%PDF-forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        issued.sha256 = "0" * 64
        issued.save()


def test_a_queued_document_may_still_be_written(sample_kind, live_policy):
    document = document_request(kind=sample_kind, subject=live_policy)
    Document.objects.filter(pk=document.pk).update(filename="改名.pdf")
    assert _fresh(document).filename == "改名.pdf"


def test_status_changes_are_append_only(issued):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE documents_documentstatuschange SET reason = 'x'")
