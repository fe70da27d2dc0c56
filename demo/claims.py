"""Demo notices and claims (SPEC 7): every claims clock visible after `make run`.

- insured A: a claim in its waiting period; a paid claim with its approved worksheet and
  a recovery before payment; a clerk's draft notice with an extension, its deadlines due;
- insured B: a claim above the handler's authority, waiting for the manager's approval.

Dates are counted back from `today`; limits are decided early in the policy year so that
the shipments fall under them (the limit history covers each shipment date).
"""

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import User
from buyers.models import Buyer
from claims import services
from claims.choices import REQUIRED_DOCUMENTS, ClaimCause
from claims.models import OverdueNotice
from limits import services as limit_services
from policies.choices import PolicyStatus
from policies.models import Policy


def _pdf(title: str) -> bytes:
    """A one-page PDF saying what the demo file stands for."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(out)


def _limit(seller, senior, policy, buyer, amount: str, on: date) -> None:
    application = limit_services.application_create(
        actor=seller, policy_id=policy.pk, buyer_uscc=buyer.uscc,
        requested_amount=Decimal(amount), payment_terms_days=90,
        expected_annual_sales=Decimal(amount) * 4, goods="工业控制设备", submit=True, today=on,
    )  # fmt: skip
    if application.status == "submitted":
        limit_services.application_decide(
            actor=senior, application_id=application.pk, outcome="approve", today=on
        )


def _invoice(number: str, amount: str, shipped: date, days: int = 90) -> dict:
    return {
        "number": number, "invoice_date": shipped, "shipment_date": shipped,
        "amount": Decimal(amount), "original_due_date": shipped + timedelta(days=days),
    }  # fmt: skip


def _claim(seller, handler, policy, buyer, invoices, *, filed: date, complete: date):
    notice = services.notice_prepare(
        actor=seller, policy_id=policy.pk, buyer_id=buyer.pk, invoices=invoices, file=True,
        comment="买方多次催收未付，已发出律师函。", today=filed,
    )  # fmt: skip
    claim = services.claim_open(
        actor=seller, notice_id=notice.pk, cause=ClaimCause.PROTRACTED_DEFAULT, today=filed
    )
    for kind in REQUIRED_DOCUMENTS:
        services.claim_document_upload(
            actor=seller, claim_id=claim.pk, kind=kind, filename=f"{kind}.pdf",
            content=_pdf(f"{claim.reference} {kind}"),
        )  # fmt: skip
    return services.claim_documents_complete(actor=handler, claim_id=claim.pk, today=complete)


def demo_claims(today: date) -> int:
    if OverdueNotice.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(
        username__in=["seller", "seller_clerk", "seller_b", "claims", "claimsmgr", "senior"])}  # fmt: skip
    a = Policy.objects.get(insured=users["seller"].organisation, status=PolicyStatus.IN_FORCE)
    b = Policy.objects.get(
        insured=users["seller_b"].organisation,
        status__in=[PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED],
    )
    buyers = list(Buyer.objects.filter(risk_grade__lte=6).order_by("uscc"))[20:24]
    handler, manager = users["claims"], users["claimsmgr"]
    early_a, early_b = a.period_start + timedelta(days=9), b.period_start + timedelta(days=9)
    if today - timedelta(days=300) <= early_a or today - timedelta(days=260) <= early_b:
        return 0  # too early in the policy year for a claim past its waiting period
    for policy, seller, buyer, amount, on in (
        (a, users["seller"], buyers[0], "1000000", early_a),
        (a, users["seller"], buyers[1], "2000000", early_a),
        (a, users["seller"], buyers[2], "800000", early_a),
        (b, users["seller_b"], buyers[3], "1500000", early_b),
    ):
        _limit(seller, users["senior"], policy, buyer, amount, on)

    # A paid claim: 2,500,000 unpaid on a 2,000,000 limit, 300,000 recovered before payment.
    shipped = today - timedelta(days=300)
    paid = _claim(
        users["seller"], handler, a, buyers[1],
        [_invoice("FP-2026-0411", "1500000", shipped), _invoice("FP-2026-0418", "1000000", shipped + timedelta(days=7))],
        filed=shipped + timedelta(days=100), complete=shipped + timedelta(days=104),
    )  # fmt: skip
    services.claims_waiting_sweep(today=paid.waiting_ends_on)
    services.recovery_record(
        actor=handler, claim_id=paid.pk, amount=Decimal("300000"), received_on=paid.waiting_ends_on,
        note="买方破产管理人首期分配", today=paid.waiting_ends_on,
    )  # fmt: skip
    services.worksheet_compute(actor=manager, claim_id=paid.pk, today=paid.waiting_ends_on)
    services.claim_approve(actor=manager, claim_id=paid.pk, today=paid.waiting_ends_on)
    services.indemnity_pay(
        actor=manager, claim_id=paid.pk, payment_reference="DEMO-IND-001",
        today=paid.waiting_ends_on + timedelta(days=3),
    )  # fmt: skip

    # A claim in its waiting period: documents complete 60 days ago.
    shipped = today - timedelta(days=200)
    _claim(
        users["seller"], handler, a, buyers[0],
        [_invoice("FP-2026-0702", "420000", shipped), _invoice("FP-2026-0709", "380000.50", shipped + timedelta(days=5))],
        filed=today - timedelta(days=75), complete=today - timedelta(days=60),
    )  # fmt: skip

    # Insured B: assessed above the handler's authority, waiting for the manager.
    shipped = today - timedelta(days=260)
    pending = _claim(
        users["seller_b"], handler, b, buyers[3],
        [_invoice("B-INV-88", "1200000", shipped)],
        filed=shipped + timedelta(days=95), complete=shipped + timedelta(days=97),
    )  # fmt: skip
    services.claims_waiting_sweep(today=pending.waiting_ends_on)
    services.worksheet_compute(actor=handler, claim_id=pending.pk, today=today)
    services.claim_approve(actor=handler, claim_id=pending.pk, today=today)

    # A clerk's draft: an overdue account whose due date was extended; deadlines ahead.
    draft = services.notice_prepare(
        actor=users["seller_clerk"], policy_id=a.pk, buyer_id=buyers[2].pk,
        invoices=[_invoice("FP-2026-1015", "260000", today - timedelta(days=100), days=90)],
        today=today,
    )  # fmt: skip
    services.extension_record(
        actor=users["seller_clerk"], invoice_id=draft.invoices.get().pk,
        to_due_date=today + timedelta(days=20), agreed_on=today - timedelta(days=5),
        reason="买方申请延期付款，已书面同意", today=today,
    )  # fmt: skip
    return OverdueNotice.objects.count()
