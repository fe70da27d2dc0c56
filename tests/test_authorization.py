"""One table over every URL (UI and API) × every role: who gets what (SPEC 2).

Objects outside a user's scope answer 404, never 403. Later features add rows here.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import User
from banks import services as bank_services
from claims import services as claim_services
from claims.choices import REQUIRED_DOCUMENTS, ClaimCause
from deadlines.choices import DeadlineKind
from deadlines.models import Deadline
from documents.models import Document
from documents.services import document_render
from limits import services as limit_services
from limits.choices import ReviewReason
from limits.models import CreditLimit, LimitReview
from policies.choices import PolicyStatus
from premiums import services as premium_services
from premiums.models import DeclarationUpload
from tests.banks.test_portal import paid_claim
from tests.banks.test_portal import report as receivables_report
from tests.claims.conftest import PDF, grant_limit
from tests.claims.conftest import invoice as notice_invoice
from tests.conftest import make_personas, shared_data
from tests.documents.samples import make_issued_document, sample_context, sample_renderer
from tests.factories import (
    BankFactory,
    BuyerCapacityFactory,
    BuyerFactory,
    InsurerFactory,
    OrganisationFactory,
    PolicyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "underwriter", "senior_underwriter", "claims_handler", "claims_manager",
    "admin", "insured_a", "insured_b", "bank", "bank_y",
]  # fmt: skip
STAFF = ["underwriter", "senior_underwriter", "claims_handler", "claims_manager", "admin"]
UNDERWRITERS = ["underwriter", "senior_underwriter", "admin"]
CLAIMS = ["claims_handler", "claims_manager", "admin"]
INSURED_APPROVERS = ["insured_a", "insured_b"]  # both personas are approvers
# Who uploads declaration files: premium staff (underwriting roles) and insured approvers.
UPLOADERS = UNDERWRITERS + INSURED_APPROVERS
# A POST a role may make: 302 when it went through, 200 when the form came back with
# errors. Either way not refused; a refusal is 404 (SPEC 2).
ALLOWED = (200, 302)


def expect(default, **per_role):
    """Expected status per role: `default` for every role not named. Bank Y (a second
    bank) gets what bank X gets unless the row names it: what no agreement of bank X's
    covers, bank Y does not see either."""
    table = dict.fromkeys(ROLES, default)
    for role, status in per_role.items():
        table[role] = status
    if "bank_y" not in per_role:
        table["bank_y"] = table["bank"]
    return table


def only(roles, yes, no, anonymous, **per_role):
    """`yes` for `roles`, `no` for the others. Bank Y gets what bank X gets unless the row
    names it, except where `roles` grant bank X something: that is bank X's own."""
    table = {role: (yes if role in roles else no) for role in ROLES}
    table["anonymous"] = anonymous
    if "bank_y" not in roles and "bank_y" not in per_role:
        table["bank_y"] = no if "bank" in roles else table["bank"]
    table.update(per_role)
    return table


def staff_act(ok):
    """An action on an object staff and insured A see, that only underwriters may take."""
    table = expect(403, anonymous=401, insured_b=404, bank=404)
    table.update(dict.fromkeys(UNDERWRITERS, ok))
    return table


CLAIMS_STAFF = ["claims_handler", "claims_manager", "admin"]


def claims_act(ok):
    """An action on a claim staff and insured A see, that only claims staff may take."""
    table = expect(403, anonymous=401, insured_b=404, bank=404)
    table.update(dict.fromkeys(CLAIMS_STAFF, ok))
    return table


def insured_a_or_claims_act(ok):
    """An action on insured A's object that insured A and claims staff may take."""
    table = claims_act(ok)
    table["insured_a"] = ok
    return table


def insured_a_or_claims_create(ok):
    """A create naming insured A's objects in its body: insured B (an approver too) does
    not find them (400 on the field); a bank may create nothing (403)."""
    table = insured_a_or_claims_act(ok)
    table.update(insured_b=400, bank=403, bank_y=403)
    return table


def insured_a_acts(ok):
    """An action on insured A's object that only insured A's approver may take."""
    return expect(403, anonymous=401, insured_a=ok, insured_b=404, bank=404)


def build_premium_world(personas, live_a) -> dict:
    """Insured A's premium account on its live policy: four instalments (the first partly
    paid), a declared first quarter, a clerk's draft of the second, their deadlines."""
    premium_services.premium_account_open(policy_id=live_a.pk, today=live_a.period_start)
    declared = premium_services.declaration_prepare(
        actor=personas["insured_a"], policy_id=live_a.pk, quarter=1,
        turnover=Decimal("12000000"), submit=True,
    )  # fmt: skip
    draft = premium_services.declaration_prepare(
        actor=personas["insured_a_clerk"], policy_id=live_a.pk, quarter=2,
        turnover=Decimal("11000000"),
    )  # fmt: skip
    first, second, third, fourth = live_a.debit_notes.order_by("sequence")
    payment = premium_services.payment_record(
        actor=personas["underwriter"], debit_note_id=first.pk, amount=Decimal("10000"),
        paid_on=timezone.localdate(), reference="BANK-001",
    )  # fmt: skip
    deadline = Deadline.objects.get(policy=live_a, kind=DeadlineKind.DECLARATION, key="Q3")
    return {
        "decl_submitted": declared.pk,
        "decl_draft": draft.pk,
        "note_part_paid": first.pk,
        "note_open": second.pk,
        "note_to_pay": third.pk,
        "note_unpaid": fourth.pk,
        "payment_a": payment.pk,
        "deadline_a": deadline.pk,
    }


def build_claims_world(personas, insurer, insured_a) -> dict:
    """Insured A's overdue notices and claims (SPEC 7) on a policy of their own: a
    clerk's draft, a draft with a repayment plan, a filed notice without a claim, and
    claims collecting documents, in assessment (a draft worksheet), awaiting a second
    approval and approved (an approved worksheet). Invoices of 100,000 give 90,000."""
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    approver, handler = personas["insured_a"], personas["claims_handler"]
    # Claims a first approver with little authority sent on to a second one (four-eyes).
    proposer = UserFactory(
        username="claims_proposer", organisation=insurer, role=Role.CLAIMS_HANDLER,
        authority_amount=10000,
    )  # fmt: skip

    def buyer():
        buyer = BuyerFactory()
        grant_limit(personas, policy, buyer, "1000000")
        return buyer

    def notice(actor, *, file):
        invoice = {
            "number": "FP-0001", "invoice_date": date(2026, 6, 1),
            "shipment_date": date(2026, 6, 1), "amount": Decimal("100000"),
            "original_due_date": date(2026, 8, 30),
        }  # fmt: skip
        return claim_services.notice_prepare(
            actor=actor, policy_id=policy.pk, buyer_id=buyer().pk, invoices=[invoice], file=file
        )

    def claim(kinds, cause=ClaimCause.INSOLVENCY):
        claim = claim_services.claim_open(
            actor=approver, notice_id=notice(approver, file=True).pk, cause=cause
        )
        for kind in kinds:
            claim_services.claim_document_upload(
                actor=approver, claim_id=claim.pk, kind=kind, filename=f"{kind}.pdf", content=PDF
            )
        return claim

    def assessed(computed_by):
        assessed = claim([*REQUIRED_DOCUMENTS, "admission"])
        claim_services.claim_documents_complete(actor=handler, claim_id=assessed.pk)
        claim_services.claim_debt_admitted(
            actor=handler, claim_id=assessed.pk, admitted_on=timezone.localdate()
        )
        worksheet = claim_services.worksheet_compute(actor=computed_by, claim_id=assessed.pk)
        return assessed, worksheet

    draft = notice(personas["insured_a_clerk"], file=False)
    planned = notice(approver, file=False)
    plan = claim_services.repayment_plan_record(
        actor=approver, notice_id=planned.pk, agreed_on=date(2026, 9, 1),
        instalments=[{"due_on": date(2026, 10, 15), "amount": Decimal("50000")}],
    )  # fmt: skip
    collecting = claim(["contract"], cause=ClaimCause.PROTRACTED_DEFAULT)
    assessment, ws_draft = assessed(handler)
    approval, _ws = assessed(proposer)
    claim_services.claim_approve(actor=proposer, claim_id=approval.pk)
    approved, ws_approved = assessed(handler)
    claim_services.claim_approve(actor=personas["claims_manager"], claim_id=approved.pk)
    return {
        "claims_policy": policy.pk,
        "buyer_for_notice": buyer().pk,
        "notice_draft": draft.pk,
        "notice_draft_invoice": draft.invoices.get().pk,
        "notice_plan": planned.pk,
        "instalment_a": plan.instalments.get().pk,
        "notice_filed": notice(approver, file=True).pk,
        "claim_collecting": collecting.pk,
        "doc_a": collecting.documents.get().pk,
        "claim_assessment": assessment.pk,
        "claim_assessment_invoice": assessment.notice.invoices.get().pk,
        "ws_draft": ws_draft.pk,
        "claim_approval": approval.pk,
        "claim_approved": approved.pk,
        "ws_approved": ws_approved.pk,
    }


def build_notice_pages_world(personas, live_a) -> dict:
    """Insured A's overdue accounts on its live policy (SPEC 7): a clerk's draft notice
    with a repayment plan, and a filed notice with a claim collecting its documents."""
    today = timezone.localdate()
    draft_buyer, filed_buyer = BuyerFactory(), BuyerFactory()
    grant_limit(personas, live_a, draft_buyer, "1000000")
    grant_limit(personas, live_a, filed_buyer, "1000000")
    draft = claim_services.notice_prepare(
        actor=personas["insured_a_clerk"], policy_id=live_a.pk, buyer_id=draft_buyer.pk,
        invoices=[notice_invoice("D-1", "300000", shipped=today, due=date(2026, 10, 30))],
    )  # fmt: skip
    plan = claim_services.repayment_plan_record(
        actor=personas["insured_a_clerk"], notice_id=draft.pk, agreed_on=today,
        instalments=[{"due_on": date(2026, 10, 1), "amount": Decimal("100000")}],
    )  # fmt: skip
    filed = claim_services.notice_prepare(
        actor=personas["insured_a"], policy_id=live_a.pk, buyer_id=filed_buyer.pk,
        invoices=[notice_invoice("F-1", "500000", shipped=date(2026, 6, 1),
                                 due=date(2026, 8, 30))],
        file=True,
    )  # fmt: skip
    claim = claim_services.claim_open(
        actor=personas["insured_a"], notice_id=filed.pk, cause=ClaimCause.PROTRACTED_DEFAULT
    )
    document = claim_services.claim_document_upload(
        actor=personas["insured_a"], claim_id=claim.pk, kind="contract", filename="合同.pdf",
        content=PDF,
    )  # fmt: skip
    return {
        "ui_notice_draft": draft.pk,
        "inv_draft": draft.invoices.get().pk,
        "ui_instalment_a": plan.instalments.get().pk,
        "ui_notice_filed": filed.pk,
        "inv_filed": filed.invoices.get().pk,
        "claim_a": claim.pk,
        "claim_doc_a": document.pk,
    }


def build_agreements_world(personas, insured_a) -> dict:
    """Insured A's assignment agreements with the bank persona's bank (SPEC 8), on a
    policy of their own so that the bank's coverage reaches nothing else of the world: a
    draft, a signed one, and one in force on one buyer, amended with a consent letter."""
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    underwriter, bank = personas["underwriter"], personas["bank"].organisation
    covered, for_signed, for_draft = BuyerFactory(), BuyerFactory(), BuyerFactory()
    for buyer in (covered, for_signed, for_draft):
        grant_limit(personas, policy, buyer, "1000000")

    def prepare(buyer):
        return bank_services.agreement_prepare(
            actor=underwriter, policy_id=policy.pk, bank_id=bank.pk, scope="listed",
            buyer_ids=[buyer.pk], starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
            account_name=insured_a.name, account_number="6222 0212 0000 1234",
            account_bank="中国工商银行苏州分行",
        )  # fmt: skip

    def sign(agreement):
        bank_services.agreement_sign(
            actor=underwriter, agreement_id=agreement.pk, signed_on=timezone.localdate(),
            filename="签署件.pdf", content=PDF,
        )  # fmt: skip

    signed, active = prepare(for_signed), prepare(covered)
    sign(signed)
    sign(active)
    bank_services.agreement_activate(actor=underwriter, agreement_id=active.pk)
    bank_services.agreement_amend(
        actor=underwriter, agreement_id=active.pk, ends_on=date(2027, 3, 31),
        consent={"given_by": "王行长", "given_on": timezone.localdate(),
                 "reference": "XY-2026-018", "filename": "同意函.pdf", "content": PDF},
    )  # fmt: skip
    return {
        "agr_policy": policy.pk,
        "agr_bank": bank.pk,
        "agr_buyer": covered.pk,
        "agr_draft": prepare(for_draft).pk,
        "agr_signed": signed.pk,
        "agr_active": active.pk,
        "agr_consent": active.consents.get().pk,
    }


def issued_loss_notice(notice) -> int:
    """The loss notice PDF its filing asked for (SPEC 7, 9), rendered as the worker would
    after the commit (the shared world never commits)."""
    document = Document.objects.get(kind="loss_notice", subject_id=notice.pk, policy=notice.policy)
    with sample_renderer(context=lambda subject: sample_context(subject.policy)):
        assert document_render(document_id=document.pk) == "issued"
    return document.pk


def build_bank_world(personas, insured_a, bank_org) -> dict:
    """Bank X's assignment agreement in force (SPEC 8) on a policy of insured A's that no
    other row uses, covering one buyer: its limit, the receivables reported, a filed
    notice, a paid claim and a loss notice PDF. Another buyer of the same policy, with
    the same kinds of objects, is not covered: bank X sees it no more than bank Y does."""
    underwriter, approver = personas["underwriter"], personas["insured_a"]
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    covered, uncovered = BuyerFactory(), BuyerFactory()
    limit = grant_limit(personas, policy, covered, "1200000")
    other_limit = grant_limit(personas, policy, uncovered, "500000")
    agreement = bank_services.agreement_prepare(
        actor=underwriter, policy_id=policy.pk, bank_id=bank_org.pk, scope="listed",
        buyer_ids=[covered.pk], starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        account_name=insured_a.name, account_number="6222 0212 0000 1234",
        account_bank="中国工商银行苏州分行",
    )  # fmt: skip
    bank_services.agreement_sign(
        actor=underwriter, agreement_id=agreement.pk, signed_on=timezone.localdate(),
        filename="赔款转让协议.pdf", content=PDF,
    )  # fmt: skip
    bank_services.agreement_activate(actor=underwriter, agreement_id=agreement.pk)
    claim = paid_claim(personas, policy, covered)
    receivables_report(personas, policy, covered, "1000000")

    def filed(buyer, number):
        return claim_services.notice_prepare(
            actor=approver, policy_id=policy.pk, buyer_id=buyer.pk, file=True,
            invoices=[notice_invoice(number, "200000", shipped=date(2026, 6, 1),
                                     due=date(2026, 8, 30))],
        )  # fmt: skip

    notice, other_notice = filed(covered, "FP-9101"), filed(uncovered, "FP-9102")
    # Approved, not paid: it would be paid to the insured, the buyer being nobody's.
    other_claim = paid_claim(personas, policy, uncovered, pay=False, number="FP-9103")
    return {
        "bank_policy": policy.pk,
        "bank_agreement": agreement.pk,
        "bank_buyer": covered.pk,
        "bank_limit": limit.pk,
        "bank_notice": notice.pk,
        "bank_claim": claim.pk,
        "bank_doc": issued_loss_notice(notice),
        "bank_other_buyer": uncovered.pk,
        "bank_other_limit": other_limit.pk,
        "bank_other_notice": other_notice.pk,
        "bank_other_claim": other_claim.pk,
        "bank_other_doc": issued_loss_notice(other_notice),
    }


def build_world():
    """Objects the matrix points at: the personas, a draft and a live policy per insured,
    limited buyers, limit applications in each open status, a reduction decision and an
    open review. Returned as ids, which every test turns into fresh rows."""
    today = timezone.localdate()
    insurer = InsurerFactory()
    insured_a = OrganisationFactory(name="甲方被保险人有限公司")
    insured_b = OrganisationFactory(name="乙方被保险人有限公司")
    bank_org = BankFactory()
    personas = make_personas(
        insurer=insurer, insured_a=insured_a, insured_b=insured_b, bank_org=bank_org,
        bank_y_org=BankFactory(name="乙银行苏州分行"),
    )  # fmt: skip
    BuyerCapacityFactory(risk_grade=4, max_exposure=Decimal("10000000"))
    policy_a = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    policy_b = PolicyFactory(insured=insured_b, status=PolicyStatus.DRAFT)
    live_a = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    buyer_a = BuyerFactory()
    buyer_free = BuyerFactory()
    limit_a = CreditLimit.objects.create(
        policy=policy_a,
        buyer=buyer_a,
        amount="1000000",
        payment_terms_days=90,
        source="insurer",
        effective_from="2026-01-01",
    )

    def application(amount, *, submit=True):
        return limit_services.application_create(
            actor=personas["insured_a"],
            policy_id=live_a.pk,
            buyer_uscc=BuyerFactory().uscc,
            requested_amount=Decimal(amount),
            submit=submit,
        )

    app_submitted = application("200000")
    app_draft = application("200000", submit=False)
    # Above its proposer's authority: waits for a second underwriter (SPEC 2 four-eyes).
    # The proposer is none of the personas, so each underwriter persona may approve it.
    proposer = UserFactory(
        username="proposer", organisation=insurer, role=Role.UNDERWRITER, authority_amount=100000
    )
    app_waiting = application("500000")
    limit_services.application_decide(
        actor=proposer, application_id=app_waiting.pk, outcome="approve"
    )
    limit_cut = CreditLimit.objects.create(
        policy=live_a,
        buyer=BuyerFactory(),
        amount="800000",
        payment_terms_days=60,
        source="insurer",
        effective_from=today,
    )
    decision_cut = limit_services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=limit_cut.pk,
        amount=Decimal("400000"),
        notice_on=today,
        reason_code="12",
    )
    review = LimitReview.objects.create(
        credit_limit=limit_a, reason=ReviewReason.YEARLY, due_on=today
    )
    upload_a = DeclarationUpload.objects.create(
        organisation=insured_a, uploaded_by=personas["insured_a"], filename="申报.csv",
        content=b"policy_number\n", state=DeclarationUpload.State.REFUSED, error_count=1,
        errors=[{"row": 1, "column": "turnover", "message": "The column 'turnover' is missing."}],
    )  # fmt: skip
    ids = {
        "today": today.isoformat(),
        "policy_a": policy_a.pk,
        "policy_b": policy_b.pk,
        "live_a": live_a.pk,
        "buyer_a": buyer_a.pk,
        "buyer_free": buyer_free.pk,
        "buyer_free_uscc": buyer_free.uscc,
        "limit_a": limit_a.pk,
        "app_submitted": app_submitted.pk,
        "app_draft": app_draft.pk,
        "app_waiting": app_waiting.pk,
        "decision_cut": decision_cut.pk,
        "review": review.pk,
        **build_premium_world(personas, live_a),
        "upload_a": upload_a.pk,
        **build_claims_world(personas, insurer, insured_a),
        **build_notice_pages_world(personas, live_a),
        **build_agreements_world(personas, insured_a),
        # An issued PDF about insured A's live policy (SPEC 9).
        "pdf_a": make_issued_document(live_a).pk,
        **build_bank_world(personas, insured_a, bank_org),
    }
    return {"personas": {name: user.pk for name, user in personas.items()}, "world": ids}


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world, built once for the 441 cases below (each rolls back what it writes)."""
    yield from shared_data(django_db_blocker, build_world)


@pytest.fixture(autouse=True, scope="module")
def documents_renderer():
    """The world's PDF is of a kind rendered by the test renderer (a correction of it is
    made through the real service, which asks the kind's renderer for its file name)."""
    with sample_renderer():
        yield


@pytest.fixture
def personas(db, shared_world):
    """This test's own instances of the shared personas."""
    users = User.objects.in_bulk(shared_world["personas"].values())
    return {name: users[pk] for name, pk in shared_world["personas"].items()}


@pytest.fixture
def world(db, shared_world):
    return shared_world["world"]


def fill(data, world):
    """The request body with the world's ids and dates put in."""
    if isinstance(data, dict):
        return {key: fill(value, world) for key, value in data.items()}
    if isinstance(data, list):
        return [fill(value, world) for value in data]
    if isinstance(data, str):
        return data.format(**world)
    return data


def status_ok(status, expected):
    return status in expected if isinstance(expected, tuple) else status == expected


DISCRETIONARY = {
    "policy": "{live_a}",
    "buyer_uscc": "{buyer_free_uscc}",
    "amount": "100000.00",
    "payment_terms_days": "60",
}
APPLICATION = {
    "policy": "{live_a}",
    "buyer_uscc": "{buyer_free_uscc}",
    "requested_amount": "300000.00",
    "payment_terms_days": "60",
}
REDUCTION = {"amount": "500000.00", "notice_on": "{today}", "reason_code": "12"}
CANCELLATION = {"notice_on": "{today}", "reason_code": "3"}
PENDING_ORDERS = {
    "requested_on": "{today}",
    "contract_reference": "HT-2026-001",
    "contract_signed_on": "{today}",
    "contract_amount": "100000.00",
}
TURNOVER = {"annual_credit_sales": "6000000", "credit_days": 60}
PEAK = {"movements": [{"on": "{today}", "kind": "invoice", "amount": "100.00"}]}
# A correction of insured A's declared first quarter, declared at once.
CORRECTION = {
    "policy": "{live_a}",
    "quarter": 1,
    "turnover": "12500000.00",
    "correction_reason": "漏记一张发票",
    "submit": True,
}
PAYMENT = {"debit_note": "{note_to_pay}", "amount": "1000.00", "paid_on": "{today}"}


PREMIUM_READERS = STAFF + ["insured_a"]
# The portal's lists are scoped: insured B gets its own (empty) list, the bank none.
PORTAL_LISTS = expect(200, anonymous=302, bank=404)
PAYMENT = {"debit_note": "{note_unpaid}", "amount": "100.00", "paid_on": "{today}"}
NOTICE = {
    "policy": "{claims_policy}",
    "buyer": "{buyer_for_notice}",
    "invoices": [
        {
            "number": "FP-0100", "invoice_date": "2026-06-01", "shipment_date": "2026-06-01",
            "amount": "100000.00", "original_due_date": "2026-08-30",
        }
    ],
    "file": True,
}  # fmt: skip
EXTENSION = {
    "invoice": "{notice_draft_invoice}",
    "to_due_date": "2026-09-30",
    "agreed_on": "{today}",
    "reason": "买方资金周转",
}
REPAYMENT_PLAN = {
    "agreed_on": "{today}",
    "instalments": [{"due_on": "2026-10-15", "amount": "50000.00"}],
}

AGREEMENT = {
    "policy": "{agr_policy}",
    "bank": "{agr_bank}",
    "scope": "all",
    "starts_on": "{today}",
    "ends_on": "2026-12-31",
    "account_name": "甲方被保险人有限公司",
    "account_number": "6222 0212 0000 1234",
    "account_bank": "中国工商银行苏州分行",
}
BANK_CONSENT = {"given_by": "王行长", "given_on": "{today}", "reference": "XY-2026-031"}

# Bank X's covered buyer (SPEC 2, 8): the staff's, insured A's and bank X's; not bank Y's.
BANK_X = ["bank"]
COVERED = STAFF + ["insured_a", "bank"]
# The buyer of the same policy no agreement covers: bank X gets 404 like bank Y.
UNCOVERED = STAFF + ["insured_a"]
# The portal's own pages are the banks': each bank its own (bank Y an empty portal).
BANKS = ["bank", "bank_y"]


def covered_page(roles=COVERED, ok=200):
    return only(roles, ok, 404, 302, bank_y=404)


def covered_api(roles=COVERED, ok=200):
    return only(roles, ok, 404, 401, bank_y=404)


BANK_UI_GET = [
    ("/bank/", only(BANKS, 200, 404, 302)),
    ("/bank/?export=csv", only(BANKS, 200, 404, 302)),
    ("/bank/?export=xlsx&sort=-capacity", only(BANKS, 200, 404, 302)),
    ("/bank/?q=x&policy={bank_policy}&sort=buyer.name", only(BANKS, 200, 404, 302)),
    ("/bank/policies/{bank_policy}/buyers/{bank_buyer}/", covered_page(BANK_X)),
    ("/bank/policies/{bank_policy}/buyers/{bank_other_buyer}/", only([], 200, 404, 302)),
    ("/bank/policies/{live_a}/buyers/{buyer_a}/", only([], 200, 404, 302)),
    ("/bank/feed/", only(BANKS, 200, 404, 302)),
    ("/bank/feed/?kind=claim_paid&new=yes&adverse=no", only(BANKS, 200, 404, 302)),
    ("/bank/feed/?export=csv", only(BANKS, 200, 404, 302)),
    ("/bank/feed/?export=xlsx", only(BANKS, 200, 404, 302)),
    ("/bank/agreements/{bank_agreement}/signed-copy/", covered_page()),
    ("/banks/agreements/{bank_agreement}/", covered_page()),
    # What bank X's agreement covers opens on the apps' own pages; nothing else does.
    ("/policies/{bank_policy}/", covered_page()),
    ("/limits/{bank_limit}/", covered_page()),
    ("/limits/{bank_other_limit}/", only(UNCOVERED, 200, 404, 302)),
    ("/claims/notices/{bank_notice}/", covered_page()),
    ("/claims/notices/{bank_other_notice}/", only(UNCOVERED, 200, 404, 302)),
    ("/claims/{bank_claim}/", covered_page()),
    ("/claims/{bank_other_claim}/", only(UNCOVERED, 200, 404, 302)),
    ("/documents/{bank_doc}/", covered_page()),
    ("/documents/{bank_doc}/download/", covered_page()),
    ("/documents/{bank_other_doc}/", only(UNCOVERED, 200, 404, 302)),
    ("/documents/{bank_other_doc}/download/", only(UNCOVERED, 200, 404, 302)),
]

UI_GET = [
    ("/", expect(200, anonymous=302)),
    # Company user management is the insured administrator's only (tests/accounts).
    ("/company/users/", expect(404, anonymous=302)),
    ("/company/users/new/", expect(404, anonymous=302)),
    ("/policies/", expect(200, anonymous=302)),
    ("/policies/?export=csv", expect(200, anonymous=302)),
    ("/policies/?export=xlsx", expect(200, anonymous=302)),
    ("/policies/{policy_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/policies/{policy_b}/", only(STAFF + ["insured_b"], 200, 404, 302)),
    ("/policies/new/", only(UNDERWRITERS, 200, 404, 302)),
    ("/policies/{policy_a}/edit/", only(UNDERWRITERS, 200, 404, 302)),
    ("/buyers/", expect(200, anonymous=302)),
    ("/buyers/?export=csv", expect(200, anonymous=302)),
    ("/buyers/{buyer_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/buyers/{buyer_free}/", only(STAFF, 200, 404, 302)),
    ("/buyers/new/", only(UNDERWRITERS, 200, 404, 302)),
    ("/buyers/{buyer_a}/edit/", only(UNDERWRITERS, 200, 404, 302)),
    ("/limits/", expect(200, anonymous=302)),
    ("/limits/{limit_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/limits/discretionary/", only(INSURED_APPROVERS, 200, 404, 302)),
    ("/limits/applications/", expect(200, anonymous=302)),
    ("/limits/applications/new/", only(INSURED_APPROVERS, 200, 404, 302)),
    ("/limits/applications/{app_submitted}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/limits/applications/{app_waiting}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/limits/applications/{app_draft}/", only(["insured_a"], 200, 404, 302)),
    ("/limits/applications/{app_draft}/edit/", only(["insured_a"], 200, 404, 302)),
    ("/limits/queue/", only(UNDERWRITERS, 200, 404, 302)),
    ("/limits/reviews/", only(UNDERWRITERS, 200, 404, 302)),
    ("/limits/portfolio/", only(STAFF, 200, 404, 302)),
    ("/limits/decisions/{decision_cut}/pending-orders/", only(["insured_a"], 200, 404, 302)),
    ("/limits/calculators/turnover/", expect(200, anonymous=302)),
    ("/limits/calculators/peak/", expect(200, anonymous=302)),
    # Declarations and premium (SPEC 2, 6): insured B never sees insured A's; a bank sees none.
    ("/premiums/policies/{live_a}/", only(PREMIUM_READERS, 200, 404, 302)),
    ("/premiums/policies/{live_a}/declare/", only(UNDERWRITERS + ["insured_a"], 200, 404, 302)),
    (
        "/premiums/policies/{live_a}/declare/?quarter=1",
        only(UNDERWRITERS + ["insured_a"], 200, 404, 302),
    ),
    ("/premiums/policies/{live_a}/account/", only(STAFF, 200, 404, 302)),
    ("/premiums/declarations/{decl_submitted}/", only(PREMIUM_READERS, 200, 404, 302)),
    ("/premiums/declarations/{decl_draft}/", only(["insured_a"], 200, 404, 302)),
    ("/premiums/declarations/{decl_draft}/edit/", only(["insured_a"], 200, 404, 302)),
    ("/premiums/debit-notes/{note_unpaid}/", only(PREMIUM_READERS, 200, 404, 302)),
    ("/premiums/debit-notes/{note_unpaid}/?confirm=cancel", only(PREMIUM_READERS, 200, 404, 302)),
    ("/premiums/declarations/", PORTAL_LISTS),
    ("/premiums/declarations/?export=csv", PORTAL_LISTS),
    ("/premiums/declarations/?export=xlsx", PORTAL_LISTS),
    ("/premiums/debit-notes/overdue/", only(STAFF, 200, 404, 302)),
    ("/premiums/debit-notes/overdue/?export=csv", only(STAFF, 200, 404, 302)),
    ("/deadlines/", PORTAL_LISTS),
    ("/deadlines/?export=csv", PORTAL_LISTS),
    ("/deadlines/?export=xlsx", PORTAL_LISTS),
    ("/deadlines/calendar/", PORTAL_LISTS),
    # Declaration uploads (SPEC 6): premium staff and the insured's approvers; insured A's
    # upload is insured A's and the staff's.
    ("/premiums/uploads/", only(UPLOADERS, 200, 404, 302)),
    ("/premiums/uploads/new/", only(UPLOADERS, 200, 404, 302)),
    ("/premiums/uploads/template.csv", only(UPLOADERS, 200, 404, 302)),
    ("/premiums/uploads/template.xlsx", only(UPLOADERS, 200, 404, 302)),
    ("/premiums/uploads/{upload_a}/", only(UNDERWRITERS + ["insured_a"], 200, 404, 302)),
    ("/premiums/uploads/{upload_a}/status/", only(UNDERWRITERS + ["insured_a"], 200, 404, 302)),
    (
        "/premiums/uploads/{upload_a}/errors.csv",
        only(UNDERWRITERS + ["insured_a"], 200, 404, 302),
    ),
    # Generated PDFs (SPEC 9): a bank sees none until an agreement covers the buyer.
    ("/documents/", expect(200, anonymous=302)),
    ("/documents/?kind=loss_notice&status=issued", expect(200, anonymous=302)),
    ("/documents/?export=csv", expect(200, anonymous=302)),
    ("/documents/?export=xlsx", expect(200, anonymous=302)),
    ("/documents/{pdf_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/documents/{pdf_a}/download/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/documents/{pdf_a}/status/", only(STAFF + ["insured_a"], 200, 404, 302)),
    # Overdue notices and claims (SPEC 2, 7): an insured's draft is its own; a filed
    # notice and its claim are insured A's and the staff's; a bank sees none without an
    # assignment agreement; the queue is the staff's.
    ("/claims/", only(STAFF, 200, 404, 302)),
    ("/claims/?export=csv", only(STAFF, 200, 404, 302)),
    ("/claims/?export=xlsx&overdue=yes", only(STAFF, 200, 404, 302)),
    ("/claims/notices/", expect(200, anonymous=302)),
    ("/claims/notices/?export=csv", expect(200, anonymous=302)),
    ("/claims/notices/?export=xlsx", expect(200, anonymous=302)),
    ("/claims/notices/new/", only(INSURED_APPROVERS, 200, 404, 302)),
    ("/claims/notices/{ui_notice_draft}/", only(["insured_a"], 200, 404, 302)),
    ("/claims/notices/{ui_notice_draft}/edit/", only(["insured_a"], 200, 404, 302)),
    ("/claims/notices/{ui_notice_draft}/plan/", only(["insured_a"], 200, 404, 302)),
    ("/claims/invoices/{inv_draft}/extend/", only(["insured_a"], 200, 404, 302)),
    ("/claims/notices/{ui_notice_filed}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/claims/{claim_a}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/claims/documents/{claim_doc_a}/download/", only(STAFF + ["insured_a"], 200, 404, 302)),
    # Assignment agreements (SPEC 2, 8): the insurer's staff and the insured read them, the
    # named bank once in force; underwriters prepare and move them.
    ("/banks/agreements/", expect(200, anonymous=302)),
    ("/banks/agreements/?status=active&sort=-ends_on", expect(200, anonymous=302)),
    ("/banks/agreements/?export=csv", expect(200, anonymous=302)),
    ("/banks/agreements/?export=xlsx", expect(200, anonymous=302)),
    ("/banks/agreements/new/", only(UNDERWRITERS, 200, 404, 302)),
    ("/banks/agreements/new/?policy={agr_policy}", only(UNDERWRITERS, 200, 404, 302)),
    ("/banks/agreements/{agr_draft}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/banks/agreements/{agr_draft}/?confirm=sign", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/banks/agreements/{agr_draft}/edit/", only(UNDERWRITERS, 200, 404, 302)),
    # Only a draft is edited: the page sends an underwriter back with the refusal.
    ("/banks/agreements/{agr_active}/edit/", only(UNDERWRITERS, 302, 404, 302)),
    ("/banks/agreements/{agr_signed}/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/banks/agreements/{agr_active}/", only(STAFF + ["insured_a", "bank"], 200, 404, 302)),
    (
        "/banks/agreements/{agr_active}/?confirm=terminate",
        only(STAFF + ["insured_a", "bank"], 200, 404, 302),
    ),
    ("/banks/agreements/{agr_active}/signed/", only(STAFF + ["insured_a", "bank"], 200, 404, 302)),
    ("/banks/agreements/{agr_signed}/signed/", only(STAFF + ["insured_a"], 200, 404, 302)),
    ("/banks/agreements/{agr_draft}/signed/", expect(404, anonymous=302)),  # no copy yet
    ("/banks/consents/{agr_consent}/letter/", only(STAFF + ["insured_a", "bank"], 200, 404, 302)),
    # The policy page with its agreements section (the bank reads the policy it finances).
    ("/policies/{agr_policy}/", only(STAFF + ["insured_a", "bank"], 200, 404, 302)),
    ("/notifications/", expect(200, anonymous=302)),
    ("/password/", expect(200, anonymous=302)),
    ("/admin/", expect(302, admin=200)),
    ("/api/schema/", expect(200)),
    ("/api/docs/", expect(200)),
    *BANK_UI_GET,
]

UI_POST = [
    ("/bank/feed/seen/", {}, only(BANKS, 302, 404, 302)),
    (
        "/policies/{live_a}/non-renewal/",
        {"notice_on": "{today}"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    ("/policies/{policy_a}/transition/", {"action": "quote"}, only(UNDERWRITERS, 302, 404, 302)),
    ("/policies/{policy_b}/transition/", {"action": "quote"}, only(UNDERWRITERS, 302, 404, 302)),
    (
        "/policies/{policy_a}/override/",
        {"code": "few_buyers", "reason": "x"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    (
        "/buyers/{buyer_a}/events/new/",
        {"kind": "court_judgment", "occurred_on": "2026-11-01"},
        only(STAFF, 302, 404, 302),
    ),
    ("/limits/{limit_a}/reduce/", REDUCTION, only(UNDERWRITERS, ALLOWED, 404, 302)),
    ("/limits/{limit_a}/cancel/", CANCELLATION, only(UNDERWRITERS, ALLOWED, 404, 302)),
    ("/limits/discretionary/", DISCRETIONARY, only(INSURED_APPROVERS, ALLOWED, 404, 302)),
    ("/limits/applications/new/", APPLICATION, only(INSURED_APPROVERS, ALLOWED, 404, 302)),
    ("/limits/applications/{app_draft}/submit/", {}, only(["insured_a"], ALLOWED, 404, 302)),
    (
        "/limits/applications/{app_draft}/return/",
        {"comment": "请补充财务报表"},
        only(["insured_a"], ALLOWED, 404, 302),
    ),
    (
        "/limits/applications/{app_submitted}/withdraw/",
        {},
        only(["insured_a"], ALLOWED, 404, 302),
    ),
    (
        "/limits/applications/{app_submitted}/decide/",
        {"outcome": "approve", "reason_code": "7"},
        only(UNDERWRITERS, ALLOWED, 404, 302),
    ),
    ("/limits/applications/{app_waiting}/approve/", {}, only(UNDERWRITERS, ALLOWED, 404, 302)),
    (
        "/limits/applications/{app_waiting}/send-back/",
        {"note": "Ask for the accounts."},
        only(UNDERWRITERS, ALLOWED, 404, 302),
    ),
    ("/limits/reviews/{review}/", {"outcome": "confirm"}, only(UNDERWRITERS, ALLOWED, 404, 302)),
    (
        "/limits/decisions/{decision_cut}/pending-orders/",
        PENDING_ORDERS,
        only(["insured_a"], ALLOWED, 404, 302),
    ),
    (
        "/premiums/policies/{live_a}/declare/",
        {"quarter": "2", "turnover": "1000", "declare": "1"},
        only(UNDERWRITERS + ["insured_a"], ALLOWED, 404, 302),
    ),
    ("/premiums/declarations/{decl_draft}/submit/", {}, only(["insured_a"], 302, 404, 302)),
    (
        "/premiums/declarations/{decl_draft}/return/",
        {"comment": "请按不含税金额申报"},
        only(["insured_a"], 302, 404, 302),
    ),
    (
        "/premiums/declarations/{decl_draft}/edit/",
        {"turnover": "11500000"},
        only(["insured_a"], 302, 404, 302),
    ),
    ("/premiums/declarations/{decl_draft}/discard/", {}, only(["insured_a"], 302, 404, 302)),
    ("/premiums/policies/{live_a}/account/", PAYMENT, only(UNDERWRITERS, 302, 404, 302)),
    (
        "/premiums/debit-notes/{note_unpaid}/cancel/",
        {"confirmed": "1", "reason": "开错了"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    # Without a file the form comes back naming it; the file itself: test_upload_a_file.
    ("/premiums/uploads/new/", {}, only(UPLOADERS, 200, 404, 302)),
    ("/documents/{pdf_a}/reissue/", {"reason": "买方地址更正"}, only(STAFF, 302, 404, 302)),
    # Notices (SPEC 2, 7): insured A's clerk's draft is insured A's only; an approver files
    # or returns it. An empty notice form comes back with its errors.
    ("/claims/notices/new/", {}, only(INSURED_APPROVERS, 200, 404, 302)),
    (
        "/claims/notices/{ui_notice_draft}/edit/",
        {
            "comment": "补充",
            "inv-TOTAL_FORMS": "1",
            "inv-INITIAL_FORMS": "0",
            "inv-0-number": "D-1",
            "inv-0-invoice_date": "{today}",
            "inv-0-shipment_date": "{today}",
            "inv-0-amount": "300000",
            "inv-0-original_due_date": "2026-10-30",
        },
        only(["insured_a"], 302, 404, 302),
    ),  # fmt: skip
    ("/claims/notices/{ui_notice_draft}/file/", {}, only(["insured_a"], 302, 404, 302)),
    (
        "/claims/notices/{ui_notice_draft}/return/",
        {"comment": "请补充发票"},
        only(["insured_a"], 302, 404, 302),
    ),
    ("/claims/notices/{ui_notice_draft}/discard/", {}, only(["insured_a"], 302, 404, 302)),
    (
        "/claims/invoices/{inv_draft}/extend/",
        {"to_due_date": "2026-11-15", "agreed_on": "{today}"},
        only(["insured_a"], 302, 404, 302),
    ),
    (
        "/claims/instalments/{ui_instalment_a}/paid/",
        {"paid_on": "{today}"},
        only(["insured_a"], 302, 404, 302),
    ),
    # The filed notice has its claim already: the form comes back saying so.
    (
        "/claims/notices/{ui_notice_filed}/open-claim/",
        {"cause": "protracted_default"},
        only(CLAIMS + ["insured_a"], 200, 404, 302),
    ),
    # The claim (SPEC 7): insured A (and claims staff for it) upload; every other step is
    # the claims staff's. Steps the claim's status does not allow come back refused.
    (
        "/claims/{claim_a}/documents/",
        {"kind": "invoices"},
        only(CLAIMS + ["insured_a"], 200, 404, 302),
    ),
    (
        "/claims/{claim_a}/documents/request/",
        {"kinds": ["statement"]},
        only(CLAIMS, 302, 404, 302),
    ),
    ("/claims/{claim_a}/documents/complete/", {}, only(CLAIMS, 302, 404, 302)),
    ("/claims/{claim_a}/debt-admitted/", {"admitted_on": "{today}"}, only(CLAIMS, 200, 404, 302)),
    ("/claims/{claim_a}/dispute/", {"reason": "质量异议"}, only(CLAIMS, 302, 404, 302)),
    (
        "/claims/{claim_a}/resolve/",
        {"in_favour_of_insured": "1", "note": "x"},
        only(CLAIMS, ALLOWED, 404, 302),
    ),
    ("/claims/{claim_a}/worksheet/", {"other_credits": "0"}, only(CLAIMS, ALLOWED, 404, 302)),
    ("/claims/{claim_a}/approve/", {}, only(CLAIMS, ALLOWED, 404, 302)),
    ("/claims/{claim_a}/return/", {"note": "x"}, only(CLAIMS, ALLOWED, 404, 302)),
    (
        "/claims/{claim_a}/decline/",
        {"reasons": ["documents_missing"]},
        only(CLAIMS, 302, 404, 302),
    ),
    ("/claims/{claim_a}/pay/", {"paid_on": "{today}"}, only(CLAIMS, ALLOWED, 404, 302)),
    (
        "/claims/{claim_a}/recoveries/",
        {"amount": "1000", "received_on": "{today}", "received_by": "insured"},
        only(CLAIMS, 302, 404, 302),
    ),
    ("/claims/invoices/{inv_filed}/dispute/", {"disputed": "on"}, only(CLAIMS, 302, 404, 302)),
    # Assignment agreements (SPEC 8): each move is an underwriter's (others: 404, as the
    # claims steps are the claims staff's); receivables are the insured's own report.
    ("/banks/agreements/new/", AGREEMENT, only(UNDERWRITERS, 302, 404, 302)),
    ("/banks/agreements/{agr_draft}/edit/", AGREEMENT, only(UNDERWRITERS, 302, 404, 302)),
    # Without the file: the form comes back naming it (the upload: test_record_a_signed_copy).
    (
        "/banks/agreements/{agr_draft}/sign/",
        {"signed_on": "{today}"},
        only(UNDERWRITERS, 200, 404, 302),
    ),
    (
        "/banks/agreements/{agr_signed}/activate/",
        {"activated_on": "{today}"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    (
        "/banks/agreements/{agr_active}/amend/",
        {"ends_on": "2027-06-30", **BANK_CONSENT},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    (
        "/banks/agreements/{agr_active}/terminate/",
        {"terminated_on": "{today}", "reason": "贷款已结清", **BANK_CONSENT},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    # A move the status does not allow: back to the page with the refusal.
    (
        "/banks/agreements/{agr_draft}/activate/",
        {"activated_on": "{today}"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    (
        "/banks/agreements/{agr_draft}/withdraw/",
        {"reason": "银行未批贷"},
        only(UNDERWRITERS, 302, 404, 302),
    ),
    (
        "/banks/agreements/{agr_active}/receivables/",
        {"buyer": "{agr_buyer}", "amount": "1000000.00", "as_of": "{today}"},
        only(["insured_a"], 302, 404, 302),
    ),
]

API = [
    ("get", "/api/v1/policies/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/policies/{policy_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("get", "/api/v1/policies/{policy_b}/", None, only(STAFF + ["insured_b"], 200, 404, 401)),
    (
        "get",
        "/api/v1/policies/{policy_a}/transitions/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/policies/{policy_a}/transition/",
        {"action": "quote"},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
    (
        "post",
        "/api/v1/policies/{live_a}/non-renewal-notice/",
        {"notice_on": "{today}"},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
    (
        "patch",
        "/api/v1/policies/{policy_a}/",
        {"buyer_count": 12},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
    ("get", "/api/v1/buyers/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/buyers/{buyer_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("get", "/api/v1/buyers/{buyer_free}/", None, only(STAFF, 200, 404, 401)),
    (
        "patch",
        "/api/v1/buyers/{buyer_a}/",
        {"risk_grade": 5},
        expect(403, anonymous=401, underwriter=200, senior_underwriter=200, admin=200),
    ),
    ("get", "/api/v1/credit-limits/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/credit-limits/{limit_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("post", "/api/v1/credit-limits/{limit_a}/reduce/", REDUCTION, staff_act(200)),
    ("post", "/api/v1/credit-limits/{limit_a}/cancel/", CANCELLATION, staff_act(200)),
    # The limit is active: there is no suspension to lift (400), but only underwriters get there.
    ("post", "/api/v1/credit-limits/{limit_a}/reinstate/", {"reason": "已还款"}, staff_act(400)),
    (
        "get",
        "/api/v1/credit-limits/{limit_a}/history/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/credit-limits/discretionary/",
        DISCRETIONARY,
        # insured B is an approver too, but insured A's policy is not among its own.
        expect(403, anonymous=401, insured_a=201, insured_b=400),
    ),
    ("get", "/api/v1/limit-applications/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/limit-applications/{app_submitted}/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    ("get", "/api/v1/limit-applications/{app_draft}/", None, only(["insured_a"], 200, 404, 401)),
    (
        "post",
        "/api/v1/limit-applications/",
        APPLICATION,
        expect(403, anonymous=401, insured_a=201, insured_b=400),
    ),
    (
        "post",
        "/api/v1/limit-applications/{app_draft}/submit/",
        None,
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/limit-applications/{app_submitted}/withdraw/",
        None,
        insured_a_acts(200),
    ),
    (
        "post",
        "/api/v1/limit-applications/{app_draft}/edit/",
        {"goods": "机床"},
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/limit-applications/{app_draft}/return/",
        {"comment": "请补充财务报表"},
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/limit-applications/{app_submitted}/decide/",
        {"outcome": "approve"},
        staff_act(200),
    ),
    ("post", "/api/v1/limit-applications/{app_waiting}/approve/", None, staff_act(200)),
    (
        "post",
        "/api/v1/limit-applications/{app_waiting}/send-back/",
        {"note": "Ask for the accounts."},
        staff_act(200),
    ),
    ("get", "/api/v1/limit-decisions/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/limit-decisions/{decision_cut}/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/limit-decisions/{decision_cut}/pending-orders/",
        PENDING_ORDERS,
        insured_a_acts(201),
    ),
    ("get", "/api/v1/limit-reviews/", None, only(STAFF, 200, 403, 401)),
    ("get", "/api/v1/limit-reviews/{review}/", None, only(STAFF, 200, 404, 401)),
    (
        "post",
        "/api/v1/limit-reviews/{review}/complete/",
        {"outcome": "confirm"},
        expect(
            404,
            anonymous=401,
            underwriter=200,
            senior_underwriter=200,
            admin=200,
            claims_handler=403,
            claims_manager=403,
        ),
    ),
    ("get", "/api/v1/limit-queue/", None, only(UNDERWRITERS, 200, 403, 401)),
    ("post", "/api/v1/calculators/turnover/", TURNOVER, expect(200, anonymous=401)),
    # Staff see every upload (the scope module); insured A its own; a bank none.
    ("get", "/api/v1/declaration-uploads/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/declaration-uploads/{upload_a}/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    # Without a file: 400 naming it for an uploader, 403 for any other role.
    (
        "post",
        "/api/v1/declaration-uploads/",
        None,
        only(UPLOADERS, 400, 403, 401),
    ),
    ("post", "/api/v1/calculators/peak-outstanding/", PEAK, expect(200, anonymous=401)),
    # The premium account (SPEC 2, 6): the insured's and the insurer's, never a bank's;
    # an insured's draft is its own (staff find it no more than insured B does).
    ("get", "/api/v1/declarations/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/declarations/{decl_submitted}/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    ("get", "/api/v1/declarations/{decl_draft}/", None, only(["insured_a"], 200, 404, 401)),
    (
        "post",
        "/api/v1/declarations/",
        CORRECTION,
        # insured B is an approver too, but insured A's policy is not among its own.
        expect(
            403, anonymous=401, insured_a=201, insured_b=400, **dict.fromkeys(UNDERWRITERS, 201)
        ),
    ),
    (
        "patch",
        "/api/v1/declarations/{decl_draft}/",
        {"turnover": "11500000.00"},
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/declarations/{decl_draft}/return/",
        {"comment": "请核对第二季度发票"},
        only(["insured_a"], 200, 404, 401),
    ),
    ("post", "/api/v1/declarations/{decl_draft}/submit/", None, only(["insured_a"], 200, 404, 401)),
    (
        "post",
        "/api/v1/declarations/{decl_draft}/discard/",
        None,
        only(["insured_a"], 200, 404, 401),
    ),
    # Only a draft can be discarded: those who may act on the declared one get 400.
    (
        "post",
        "/api/v1/declarations/{decl_submitted}/discard/",
        None,
        expect(
            403,
            anonymous=401,
            insured_a=400,
            insured_b=404,
            bank=404,
            **dict.fromkeys(UNDERWRITERS, 400),
        ),
    ),
    ("get", "/api/v1/debit-notes/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/debit-notes/{note_part_paid}/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    ("post", "/api/v1/debit-notes/{note_open}/cancel/", {"reason": "开错"}, staff_act(200)),
    ("get", "/api/v1/payments/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/payments/{payment_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    (
        "post",
        "/api/v1/payments/",
        PAYMENT,
        expect(403, anonymous=401, **dict.fromkeys(UNDERWRITERS, 201)),
    ),
    ("get", "/api/v1/premium-accounts/{live_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("get", "/api/v1/deadlines/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/deadlines/{deadline_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    # Overdue notices and claims (SPEC 2, 7): a draft notice is insured A's own; staff see
    # the filed ones; a bank sees nothing until assignment agreements exist (SPEC 8).
    ("get", "/api/v1/overdue-notices/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/overdue-notices/{notice_draft}/", None, only(["insured_a"], 200, 404, 401)),
    (
        "get",
        "/api/v1/overdue-notices/{notice_filed}/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/",
        NOTICE,
        # insured B is an approver too, but insured A's policy is not among its own.
        insured_a_or_claims_create(201),
    ),
    (
        "patch",
        "/api/v1/overdue-notices/{notice_draft}/",
        {"comment": "补充两张发票"},
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/{notice_draft}/file/",
        None,
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/{notice_draft}/return/",
        {"comment": "请核对发票金额"},
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/{notice_draft}/discard/",
        None,
        only(["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/{notice_draft}/extensions/",
        EXTENSION,
        only(["insured_a"], 201, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/{notice_draft}/repayment-plan/",
        REPAYMENT_PLAN,
        only(["insured_a"], 201, 404, 401),
    ),
    (
        "post",
        "/api/v1/overdue-notices/{notice_plan}/instalment-paid/",
        {"instalment": "{instalment_a}", "paid_on": "{today}"},
        only(["insured_a"], 200, 404, 401),
    ),
    # A filed notice is filed: those who may file get 400, not a second filing.
    (
        "post",
        "/api/v1/overdue-notices/{notice_filed}/file/",
        None,
        insured_a_or_claims_act(400),
    ),
    ("get", "/api/v1/claims/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/claims/{claim_collecting}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    ("get", "/api/v1/claims/{claim_assessment}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    (
        "post",
        "/api/v1/claims/",
        {"notice": "{notice_filed}", "cause": "protracted_default"},
        insured_a_or_claims_create(201),
    ),
    # Without a file: 400 naming it for insured A and claims staff (the file itself:
    # test_upload_a_claim_document).
    (
        "post",
        "/api/v1/claims/{claim_collecting}/documents/",
        None,
        insured_a_or_claims_act(400),
    ),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/request-documents/",
        {"kinds": ["statement"]},
        claims_act(200),
    ),
    # Documents are missing, it is no insolvency, there is no dispute: refused on the facts.
    ("post", "/api/v1/claims/{claim_collecting}/complete/", None, claims_act(400)),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/admit-debt/",
        {"admitted_on": "{today}"},
        claims_act(400),
    ),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/resolve/",
        {"in_favour_of_insured": True, "note": "判决支持被保险人"},
        claims_act(400),
    ),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/advance-none/",
        {"reason": "等待期内损失尚无法确定"},
        claims_act(200),
    ),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/dispute/",
        {"reason": "买方对货物质量提出异议"},
        claims_act(200),
    ),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/decline/",
        {"reasons": ["documents_missing"]},
        claims_act(200),
    ),
    (
        "post",
        "/api/v1/claims/{claim_collecting}/recoveries/",
        {"amount": "1000.00", "received_on": "{today}"},
        claims_act(201),
    ),
    (
        "post",
        "/api/v1/claims/{claim_assessment}/invoice-dispute/",
        {"invoice": "{claim_assessment_invoice}", "disputed": True},
        claims_act(200),
    ),
    (
        "post",
        "/api/v1/claims/{claim_assessment}/compute-worksheet/",
        {"other_credits": "0.00"},
        claims_act(201),
    ),
    ("post", "/api/v1/claims/{claim_assessment}/approve/", {}, claims_act(200)),
    ("post", "/api/v1/claims/{claim_assessment}/return/", {"note": "复核"}, claims_act(400)),
    # Sent on by a first approver who is none of the personas: each may be the second.
    ("post", "/api/v1/claims/{claim_approval}/approve/", {}, claims_act(200)),
    (
        "post",
        "/api/v1/claims/{claim_approval}/return/",
        {"note": "请复核回收款"},
        claims_act(200),
    ),
    (
        "post",
        "/api/v1/claims/{claim_approved}/pay/",
        {"payment_reference": "PAY-0001"},
        claims_act(201),
    ),
    # The claim file is the insured's and the insurer's: never a bank's (core.scope).
    ("get", "/api/v1/claim-documents/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/claim-documents/{doc_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    (
        "get",
        "/api/v1/claim-documents/{doc_a}/download/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    # A draft worksheet is the insurer's working paper; the approved one is the insured's too.
    ("get", "/api/v1/worksheets/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/worksheets/{ws_draft}/", None, only(STAFF, 200, 404, 401)),
    ("get", "/api/v1/worksheets/{ws_approved}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    # Generated PDFs (SPEC 9): every staff member may correct one; insured A reads its own.
    ("get", "/api/v1/documents/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/documents/?kind=loss_notice", None, expect(200, anonymous=401)),
    ("get", "/api/v1/documents/{pdf_a}/", None, only(STAFF + ["insured_a"], 200, 404, 401)),
    (
        "get",
        "/api/v1/documents/{pdf_a}/download/",
        None,
        only(STAFF + ["insured_a"], 200, 404, 401),
    ),
    (
        "post",
        "/api/v1/documents/{pdf_a}/reissue/",
        {"reason": "买方地址更正"},
        expect(403, anonymous=401, insured_b=404, bank=404, **dict.fromkeys(STAFF, 201)),
    ),
]


BANK_API = [
    ("get", "/api/v1/agreements/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/agreements/?status=active&ordering=-ends_on",
        None,
        expect(200, anonymous=401),
    ),
    ("get", "/api/v1/agreements/{bank_agreement}/", None, covered_api()),
    ("get", "/api/v1/bank/positions/", None, expect(200, anonymous=401)),
    ("get", "/api/v1/bank/positions/?policy={bank_policy}", None, expect(200, anonymous=401)),
    ("get", "/api/v1/bank/feed/", None, expect(200, anonymous=401)),
    (
        "get",
        "/api/v1/bank/feed/?new=true&since=2026-01-01T00:00:00%2B08:00&kind=claim_paid",
        None,
        expect(200, anonymous=401),
    ),
    ("get", "/api/v1/policies/{bank_policy}/", None, covered_api()),
    ("get", "/api/v1/buyers/{bank_buyer}/", None, covered_api()),
    ("get", "/api/v1/buyers/{bank_other_buyer}/", None, only(UNCOVERED, 200, 404, 401)),
    ("get", "/api/v1/credit-limits/{bank_limit}/", None, covered_api()),
    ("get", "/api/v1/credit-limits/{bank_other_limit}/", None, only(UNCOVERED, 200, 404, 401)),
    ("get", "/api/v1/overdue-notices/{bank_notice}/", None, covered_api()),
    (
        "get",
        "/api/v1/overdue-notices/{bank_other_notice}/",
        None,
        only(UNCOVERED, 200, 404, 401),
    ),
    ("get", "/api/v1/claims/{bank_claim}/", None, covered_api()),
    ("get", "/api/v1/claims/{bank_other_claim}/", None, only(UNCOVERED, 200, 404, 401)),
    ("get", "/api/v1/documents/{bank_doc}/", None, covered_api()),
    ("get", "/api/v1/documents/{bank_doc}/download/", None, covered_api()),
    ("get", "/api/v1/documents/{bank_other_doc}/", None, only(UNCOVERED, 200, 404, 401)),
]
API += BANK_API


def _ui_client(personas, role):
    client = Client()
    if role != "anonymous":
        client.force_login(personas[role])
    return client


def _api_client(personas, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(personas[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_ui_pages(personas, world, role):
    client = _ui_client(personas, role)
    failures = []
    for path, expected in UI_GET:
        url = path.format(**world)
        status = client.get(url).status_code
        if status != expected[role]:
            failures.append(f"GET {url}: {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,data,expected", UI_POST)
def test_ui_actions(personas, world, role, path, data, expected):
    url = path.format(**world)
    status = _ui_client(personas, role).post(url, fill(data, world)).status_code
    assert status_ok(status, expected[role]), f"POST {url} as {role}: {status}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,data,expected", API)
def test_api(personas, world, role, method, path, data, expected):
    url = path.format(**world)
    response = getattr(_api_client(personas, role), method)(url, fill(data, world), format="json")
    assert response.status_code == expected[role], (
        f"{method.upper()} {url} as {role}: {response.status_code} {response.content[:300]!r}"
    )


def test_every_api_route_is_in_the_matrix():
    """A new endpoint must come with its rows: list the router's URL patterns."""
    from config.api_urls import router

    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    covered = {router_prefix(path, prefixes) for _m, path, _d, _e in API}
    assert prefixes <= covered


def router_prefix(path: str, prefixes) -> str:
    """The router prefix of an API path (`bank/feed` of `/api/v1/bank/feed/`)."""
    rest = path.split("?")[0].removeprefix("/api/v1/")
    return max((p for p in prefixes if rest.startswith(f"{p}/")), key=len, default=rest)


def test_bank_x_lists_only_its_covered_buyer_and_bank_y_nothing(personas, world):
    """The lists answer 200 to both banks: what is in them is what differs (SPEC 2, 8)."""

    def ids(user, url):
        return {row["id"] for row in _api_client(personas, user).get(url).json()["results"]}

    covered = {
        "/api/v1/bank/positions/": None,
        "/api/v1/agreements/": world["bank_agreement"],
        "/api/v1/credit-limits/": world["bank_limit"],
        "/api/v1/overdue-notices/": world["bank_notice"],
        "/api/v1/claims/": world["bank_claim"],
    }
    for url, pk in covered.items():
        seen = ids("bank", url)
        assert seen and (pk is None or pk in seen), url
        assert ids("bank_y", url) == set(), url
    assert world["bank_other_limit"] not in ids("bank", "/api/v1/credit-limits/")
    assert world["bank_other_claim"] not in ids("bank", "/api/v1/claims/")
    positions = _api_client(personas, "bank").get("/api/v1/bank/positions/").json()["results"]
    # Bank X also finances a buyer of the agreements' world (agr_buyer); never the other.
    by_buyer = {row["buyer"]: row for row in positions}
    assert world["bank_other_buyer"] not in by_buyer
    assert by_buyer[world["bank_buyer"]]["paid"] == "90000.00"
    feed = ids("bank", "/api/v1/bank/feed/")
    assert feed and ids("bank_y", "/api/v1/bank/feed/") == set()


@pytest.mark.parametrize("role", ROLES)
def test_upload_a_declarations_file(personas, world, role, django_capture_on_commit_callbacks):
    """The upload with a file, page and API (multipart): accepted for premium staff and
    insured approvers (a header-only file, refused by the check, not by the role)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def file():
        return SimpleUploadedFile("d.csv", b"policy_number,policy_year,quarter,turnover\n")

    with django_capture_on_commit_callbacks(execute=True):
        page = _ui_client(personas, role).post("/premiums/uploads/new/", {"file": file()})
        api = _api_client(personas, role).post(
            "/api/v1/declaration-uploads/", {"file": file()}, format="multipart"
        )
    expected_page = only(UPLOADERS, 302, 404, 302)[role]
    expected_api = only(UPLOADERS, 202, 403, 401)[role]
    assert (page.status_code, api.status_code) == (expected_page, expected_api)


@pytest.mark.parametrize("role", ROLES)
def test_upload_a_claim_document(personas, world, role):
    """A file of the claim (multipart): insured A and claims staff upload to insured A's
    claim; other staff may not; insured B and the bank do not find the claim."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _api_client(personas, role).post(
        f"/api/v1/claims/{world['claim_collecting']}/documents/",
        {"kind": "invoices", "file": SimpleUploadedFile("发票.pdf", PDF)},
        format="multipart",
    )
    expected = insured_a_or_claims_act(201)
    assert response.status_code == expected[role], response.content[:300]


@pytest.mark.parametrize("role", ROLES)
def test_record_a_signed_copy(personas, world, role):
    """The signed copy of the draft (multipart): an underwriter's move; other staff and
    insured A see the draft and may not; insured B and the bank do not find it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _ui_client(personas, role).post(
        f"/banks/agreements/{world['agr_draft']}/sign/",
        {"signed_on": world["today"], "file": SimpleUploadedFile("签署件.pdf", PDF)},
    )
    assert response.status_code == only(UNDERWRITERS, 302, 404, 302)[role]
