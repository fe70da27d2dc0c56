"""Demo assignment agreements (SPEC 8): what the bank portal and the agreement pages show
after `make run`.

- insured A with the demo bank: an agreement in force since three weeks ago on listed
  buyers of its policy: the buyer whose claim was paid to the insured before the agreement
  (the bank sees it as paid to the seller), the buyer whose claim is in its waiting period
  (its indemnity will go to the bank's account), and one more buyer, whose limit the
  insurer has just cut with notice (news in the bank's feed); a receivables report on
  each, so that the portal shows a financing capacity;
- insured B with the same bank: a draft covering all buyers of its policy, for the staff
  side (to be signed and put in force).

Dates are counted back from `today`; every write goes through the banks services.
"""

from datetime import timedelta
from decimal import Decimal

from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from banks import services
from banks.models import AssignmentAgreement
from claims.models import Claim
from limits import services as limit_services
from limits.models import CreditLimit
from policies.choices import PolicyStatus
from policies.models import Policy


def _signed_copy(reference: str) -> bytes:
    from demo.claims import _pdf

    return _pdf(f"{reference} signed by the insured, the insurer and the bank")


def _buyers_of(policy: Policy) -> list[int]:
    """The policy's buyers for the listed agreement: those with a claim first (the paid one,
    then the one waiting), then the others with a limit in force."""
    claims = Claim.objects.filter(policy=policy).order_by("opened_on", "pk")
    claimed = [c.buyer_id for c in sorted(claims, key=lambda claim: claim.status != "paid")]
    limits = CreditLimit.objects.filter(policy=policy, status__in=["active", "suspended"])
    # A limit with no cut scheduled first: the demo cuts the third buyer's limit.
    limited = [
        limit.buyer_id
        for limit in sorted(
            limits.order_by("buyer__uscc"),
            key=lambda limit: limit.status != "active" or limit.scheduled_amount is not None,
        )
    ]
    chosen = []
    for buyer_id in [*claimed, *limited]:
        if buyer_id in limited and buyer_id not in chosen:
            chosen.append(buyer_id)
    return chosen[:3]


def demo_banks(today) -> int:
    if AssignmentAgreement.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(
        username__in=["underwriter", "senior", "seller", "seller_b"])}  # fmt: skip
    underwriter = users["underwriter"]
    bank = Organisation.objects.get(kind=OrganisationKind.BANK)
    a = Policy.objects.get(insured=users["seller"].organisation, status=PolicyStatus.IN_FORCE)
    listed = _buyers_of(a)
    if not listed:
        return 0
    signed_on, in_force_on = today - timedelta(days=25), today - timedelta(days=21)
    agreement = services.agreement_prepare(
        actor=underwriter, policy_id=a.pk, bank_id=bank.pk, scope="listed", buyer_ids=listed,
        starts_on=in_force_on, ends_on=in_force_on + timedelta(days=365),
        account_name=a.insured.name, account_number="1202 0212 0990 0123 456",
        account_bank="中国工商银行杭州分行营业部", today=signed_on - timedelta(days=5),
    )  # fmt: skip
    services.agreement_sign(
        actor=underwriter, agreement_id=agreement.pk, signed_on=signed_on,
        filename=f"{agreement.reference}-signed.pdf", content=_signed_copy(agreement.reference),
        today=signed_on,
    )  # fmt: skip
    services.agreement_activate(
        actor=underwriter, agreement_id=agreement.pk, activated_on=in_force_on, today=today
    )
    for number, buyer_id in enumerate(listed):
        limit = CreditLimit.objects.filter(policy=a, buyer_id=buyer_id).order_by("-pk").first()
        services.receivables_report(
            actor=users["seller"], policy_id=a.pk, buyer_id=buyer_id,
            amount=(limit.amount * Decimal("0.8") + 150000 * number).quantize(Decimal("1")),
            as_of=today - timedelta(days=3), today=today,
        )  # fmt: skip

    # News for the bank's feed: the insurer cuts a covered buyer's limit, with notice.
    limit = (
        CreditLimit.objects.filter(
            policy=a, buyer_id__in=listed, status="active", scheduled_amount__isnull=True
        )
        .order_by("buyer__uscc")
        .first()
    )
    if limit is not None:
        limit_services.limit_reduce(
            actor=users["senior"], limit_id=limit.pk, notice_on=today,
            amount=(limit.amount * Decimal("0.7")).quantize(Decimal("1")),
            effective_on=min(today + timedelta(days=14), a.period_end), reason_code="12",
            conditions="买方近期涉诉，压降限额", today=today,
        )  # fmt: skip

    b = Policy.objects.filter(
        insured=users["seller_b"].organisation,
        status__in=[PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED],
    ).first()
    if b is not None:
        services.agreement_prepare(
            actor=underwriter, policy_id=b.pk, bank_id=bank.pk, scope="all",
            starts_on=today, ends_on=today + timedelta(days=365), account_name=b.insured.name,
            account_number="1202 0212 0990 0654 321", account_bank="中国工商银行广州分行",
            today=today,
        )  # fmt: skip
    return AssignmentAgreement.objects.count()
