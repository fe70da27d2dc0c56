"""Writes of notices and claims (SPEC 7): one transaction each, through `core.transitions`."""

from claims.services.claims import (
    claim_advance_none,
    claim_debt_admitted,
    claim_dispute,
    claim_document_upload,
    claim_documents_complete,
    claim_documents_request,
    claim_open,
    claim_resolve,
    claims_waiting_sweep,
    invoice_dispute_set,
    missing_documents,
)
from claims.services.decisions import claim_approve, claim_decline, claim_return
from claims.services.notices import (
    extension_record,
    notice_actions,
    notice_discard,
    notice_file,
    notice_prepare,
    notice_return,
    notice_update,
    notices_sweep,
    plan_instalment_paid,
    repayment_plan_record,
)
from claims.services.payments import indemnity_pay, payee_for
from claims.services.recoveries import recovery_record
from claims.services.worksheets import claim_indemnity, remaining_liability, worksheet_compute

__all__ = [
    "claim_advance_none", "claim_approve", "claim_debt_admitted", "claim_decline", "claim_dispute",
    "claim_document_upload", "claim_documents_complete", "claim_documents_request",
    "claim_indemnity", "claim_open", "claim_resolve", "claim_return", "claims_waiting_sweep",
    "extension_record", "indemnity_pay", "invoice_dispute_set", "missing_documents",
    "notice_actions", "notice_discard", "notice_file", "notice_prepare", "notice_return",
    "notice_update", "notices_sweep", "payee_for", "plan_instalment_paid", "recovery_record",
    "remaining_liability", "repayment_plan_record", "worksheet_compute",
]  # fmt: skip
