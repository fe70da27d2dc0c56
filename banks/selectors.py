"""Reads of agreements and of what a bank finances, always through core.scope (SPEC 2, 8).

The bank portal's figures are read from the apps below by their scope rules (by model
label, so that the banks app imports no sibling): a bank sees a notice, a claim or a
payment only on the buyers its agreements in force cover."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from banks.choices import ADVERSE_EVENTS, AgreementAction, AgreementStatus
from banks.models import (
    AgreementBuyer,
    AgreementStatusChange,
    AssignmentAgreement,
    BankConsent,
    BankEvent,
    BankReader,
    ReceivableReport,
)
from banks.rules import financing_capacity
from core import reactions
from core.scope import visible
from limits.choices import EXPOSURE_STATUSES

LIABILITY_USED_EVENT = "claims.liability_used"  # answered by claims.reactions
OPEN_CLAIM_STATUSES = ["collecting", "waiting", "disputed", "assessment", "approval", "approved"]


def agreements_visible_to(user) -> QuerySet[AssignmentAgreement]:
    return visible(user, AssignmentAgreement).select_related("policy__insured", "bank")


def agreement_history(user, agreement) -> QuerySet[AgreementStatusChange]:
    return (
        visible(user, AgreementStatusChange)
        .filter(agreement=agreement)
        .select_related("actor", "consent")
        .order_by("created_at", "id")
    )


def consents_of(user, agreement) -> QuerySet[BankConsent]:
    return visible(user, BankConsent).filter(agreement=agreement).defer("letter_content")


def allowed_agreement_actions(agreement, user) -> list[str]:
    """The buttons an underwriter sees; the insured and the bank change nothing here."""
    if not (user.is_insurer_staff and user.is_underwriter):
        return []
    allowed = {
        AgreementStatus.DRAFT: [AgreementAction.EDIT, AgreementAction.SIGN,
                                AgreementAction.WITHDRAW],
        AgreementStatus.SIGNED: [AgreementAction.ACTIVATE, AgreementAction.WITHDRAW],
        AgreementStatus.ACTIVE: [AgreementAction.AMEND, AgreementAction.TERMINATE],
    }  # fmt: skip
    return [str(action) for action in allowed.get(agreement.status, [])]


def remaining_liability(policies) -> dict[int, Decimal]:
    """Per policy, the policy year's maximum liability less what approved indemnities
    committed (one query for all of them)."""
    used: dict[int, Decimal] = {}
    for answer in reactions.collect(LIABILITY_USED_EVENT, policy_ids=[p.pk for p in policies]):
        for policy_id, amount in answer.items():
            used[policy_id] = used.get(policy_id, Decimal(0)) + amount
    return {p.pk: max(p.max_liability - used.get(p.pk, Decimal(0)), Decimal(0)) for p in policies}


@dataclass(frozen=True)
class Position:
    """What a bank finances on one buyer of one policy (SPEC 8)."""

    covered: AgreementBuyer
    limit_amount: Decimal | None
    limit_status: str
    receivables: Decimal | None
    receivables_as_of: date | None
    remaining_liability: Decimal
    capacity: Decimal | None
    open_notices: int
    open_claims: int
    payable: Decimal
    paid: Decimal

    @property
    def agreement(self):
        return self.covered.agreement

    @property
    def buyer(self):
        return self.covered.buyer

    @property
    def policy(self):
        return self.covered.agreement.policy


def _per_pair(queryset, prefix: str, figure):
    """`figure` (an aggregate) over the rows of `queryset` on the outer row's covered
    (policy, buyer) pair: a correlated subquery, so that the positions are one query
    however many buyers are covered (SPEC 8)."""
    pair = {f"{prefix}policy_id": OuterRef("policy_id"), f"{prefix}buyer_id": OuterRef("buyer_id")}
    return Subquery(
        queryset.filter(**pair)
        .order_by()
        .values(f"{prefix}policy_id")
        .annotate(figure=figure)
        .values("figure")
    )


def positions(user, covered: QuerySet[AgreementBuyer]) -> list[Position]:
    """Each covered buyer with its limit, the receivables the insured reported, the
    financing capacity, and its notices, claims and indemnities as `user` may see them.
    A fixed number of queries whatever the number of buyers."""
    covered = list(
        covered.select_related("agreement__policy__insured", "agreement__bank", "buyer")
        .annotate(
            limit_amount=Subquery(
                visible(user, "limits.CreditLimit")
                .filter(policy_id=OuterRef("policy_id"), buyer_id=OuterRef("buyer_id"))
                .order_by("-id").values("amount")[:1]
            ),
            limit_status=Subquery(
                visible(user, "limits.CreditLimit")
                .filter(policy_id=OuterRef("policy_id"), buyer_id=OuterRef("buyer_id"))
                .order_by("-id").values("status")[:1]
            ),
            receivables=Subquery(
                ReceivableReport.objects.filter(
                    policy_id=OuterRef("policy_id"), buyer_id=OuterRef("buyer_id")
                ).values("amount")[:1]
            ),
            receivables_as_of=Subquery(
                ReceivableReport.objects.filter(
                    policy_id=OuterRef("policy_id"), buyer_id=OuterRef("buyer_id")
                ).values("as_of")[:1]
            ),
            # A filed notice is open until a claim is opened on it (then the claim counts).
            open_notices=_per_pair(
                visible(user, "claims.OverdueNotice").filter(status="filed", claim__isnull=True),
                "", Count("pk"),
            ),
            open_claims=_per_pair(
                visible(user, "claims.Claim").filter(status__in=OPEN_CLAIM_STATUSES),
                "", Count("pk"),
            ),
            payable=_per_pair(
                visible(user, "claims.Worksheet").filter(
                    status="approved", claim__status="approved"
                ),
                "claim__", Sum("indemnity"),
            ),
            paid=_per_pair(
                visible(user, "claims.IndemnityPayment"), "claim__", Sum("amount")
            ),
        )
        .order_by("agreement__policy__policy_number", "buyer__name")
    )  # fmt: skip
    if not covered:
        return []
    policies = {row.agreement.policy_id: row.agreement.policy for row in covered}
    remaining = remaining_liability(policies.values())
    result = []
    for row in covered:
        policy = policies[row.policy_id]
        in_force = row.limit_status in EXPOSURE_STATUSES
        result.append(
            Position(
                covered=row,
                limit_amount=row.limit_amount if in_force else None,
                limit_status=row.limit_status or "",
                receivables=row.receivables,
                receivables_as_of=row.receivables_as_of,
                remaining_liability=remaining[row.policy_id],
                capacity=financing_capacity(
                    receivables=row.receivables,
                    limit=row.limit_amount if in_force else None,
                    indemnity_percentage=policy.indemnity_percentage,
                    remaining_liability=remaining[row.policy_id],
                ),
                open_notices=row.open_notices or 0,
                open_claims=row.open_claims or 0,
                payable=row.payable or Decimal(0),
                paid=row.paid or Decimal(0),
            )
        )
    return result


def covered_visible_to(user) -> QuerySet[AgreementBuyer]:
    """The buyers agreements in force cover, as `user` may see them: a bank its own, an
    insured those of its policies, staff all (a draft's listed buyers are not covered)."""
    return visible(user, AgreementBuyer).filter(active=True)


def bank_positions(user, covered: QuerySet[AgreementBuyer] | None = None) -> list[Position]:
    """Every buyer the user's bank finances, across all its borrowers (SPEC 2, 8);
    `covered` narrows them (a filtered `covered_visible_to(user)`)."""
    return positions(user, covered if covered is not None else covered_visible_to(user))


def bank_position(user, *, policy_id: int, buyer_id: int) -> Position | None:
    """One covered buyer of one policy, or None when no agreement in force the user may
    see covers it (the page answers 404)."""
    found = positions(user, covered_visible_to(user).filter(policy_id=policy_id, buyer_id=buyer_id))
    return found[0] if found else None


def positions_totals(rows: list[Position]) -> dict:
    """The portal's key figures: what the bank may lend and what it is owed and paid."""
    return {
        "capacity": sum((row.capacity for row in rows if row.capacity is not None), Decimal(0)),
        "payable": sum((row.payable for row in rows), Decimal(0)),
        "paid": sum((row.paid for row in rows), Decimal(0)),
        "buyers": len(rows),
    }


def portal_agreements(user) -> QuerySet[AssignmentAgreement]:
    """The policies assigned to the bank across all its borrowers: its agreements in force
    first, then those that ended (a bank never sees another bank's, nor drafts)."""
    in_force_first = Case(
        When(status=AgreementStatus.ACTIVE, then=Value(0)), default=Value(1),
        output_field=IntegerField(),
    )  # fmt: skip
    return agreements_visible_to(user).order_by(
        in_force_first, "policy__insured__name", "policy__policy_number", "reference"
    )


@dataclass(frozen=True)
class BuyerFile:
    """Everything a bank may read about one covered buyer of one policy (SPEC 2, 8)."""

    position: Position
    limit: object
    decisions: QuerySet
    notices: QuerySet
    claims: QuerySet
    payable: QuerySet
    payments: QuerySet
    documents: QuerySet


def covered_buyer_file(user, *, policy_id: int, buyer_id: int) -> BuyerFile | None:
    """The covered buyer's limit and its decisions, its overdue notices, claims, the
    indemnities approved and paid, and the documents on it; None if not covered."""
    position = bank_position(user, policy_id=policy_id, buyer_id=buyer_id)
    if position is None:
        return None
    pair = {"policy_id": policy_id, "buyer_id": buyer_id}
    claim_pair = {"claim__policy_id": policy_id, "claim__buyer_id": buyer_id}
    return BuyerFile(
        position=position,
        limit=visible(user, "limits.CreditLimit").filter(**pair).order_by("-id").first(),
        decisions=visible(user, "limits.LimitDecision").filter(**pair)
        .select_related("credit_limit").order_by("-created_at", "-id"),
        notices=visible(user, "claims.OverdueNotice").filter(**pair)
        .annotate(overdue_amount=Sum("invoices__amount")).order_by("-filed_on", "-id"),
        claims=visible(user, "claims.Claim").filter(**pair).order_by("-opened_on", "-id"),
        payable=visible(user, "claims.Worksheet").filter(
            status="approved", claim__status="approved", **claim_pair
        ).select_related("claim").order_by("claim__decided_on", "id"),
        payments=visible(user, "claims.IndemnityPayment").filter(**claim_pair)
        .select_related("claim", "payee_organisation").order_by("-paid_on", "-id"),
        documents=visible(user, "documents.Document").filter(**pair).defer("content")
        .order_by("kind", "-created_at", "-version"),
    )  # fmt: skip


def agreement_positions(user, agreement) -> list[Position]:
    covered = visible(user, AgreementBuyer).filter(agreement=agreement)
    if agreement.status != AgreementStatus.ACTIVE:
        covered = covered.none()
    return positions(user, covered)


def bank_feed(user) -> QuerySet[BankEvent]:
    """What changed on the bank's financed policies, newest first."""
    return visible(user, BankEvent).select_related("policy__insured", "buyer", "agreement")


# `seen` not given: the feed's readers ask for it themselves (a page that needs the feed
# and its summary reads it once and hands it to both).
UNREAD_YET = object()


def feed_for(user, *, seen=UNREAD_YET) -> QuerySet[BankEvent]:
    """The feed with `is_new` (after the user last read it) and `is_adverse` (a cut, a
    notice, a claim, a suspension, an agreement ending: SPEC 8) on each row."""
    seen = feed_seen_until(user) if seen is UNREAD_YET else seen
    new = Q(occurred_at__gt=seen) if seen is not None else Q(pk__isnull=False)
    return bank_feed(user).annotate(
        is_new=ExpressionWrapper(new, output_field=BooleanField()),
        is_adverse=ExpressionWrapper(Q(kind__in=ADVERSE_EVENTS), output_field=BooleanField()),
    )


def feed_seen_until(user):
    if not getattr(user, "is_authenticated", False):
        return None
    reader = BankReader.objects.filter(user=user).first()
    return reader.seen_until if reader else None


def feed_summary(user, *, seen=UNREAD_YET) -> dict:
    """How many events are new since the user last read the feed, and how many of them
    call for attention (a cut, a notice, a claim, a suspension, an agreement ending)."""
    seen = feed_seen_until(user) if seen is UNREAD_YET else seen
    new = bank_feed(user)
    if seen is not None:
        new = new.filter(occurred_at__gt=seen)
    return new.aggregate(
        new=Count("pk"), adverse=Count("pk", filter=Q(kind__in=ADVERSE_EVENTS))
    ) | {"seen_until": seen}


# --- the agreement pages (list, forms, policy page) ---------------------------------------


def agreement_buyer_choices(user, policy_id: int) -> QuerySet:
    """The buyers an agreement on the policy may list: those with a limit under it, in any
    state (as `services.policy_buyer_ids` checks), as `user` may see them."""
    limits = visible(user, "limits.CreditLimit").filter(policy_id=policy_id)
    return visible(user, "buyers.Buyer").filter(pk__in=limits.values("buyer_id")).order_by("name")


def agreement_covered_buyer(user, agreement, buyer_id) -> AgreementBuyer | None:
    """The agreement's row for a buyer it covers now (in force), if `user` may see it."""
    return (
        visible(user, AgreementBuyer)
        .filter(agreement=agreement, buyer_id=buyer_id, active=True)
        .select_related("buyer")
        .first()
    )


def policy_agreements(user, policy) -> QuerySet[AssignmentAgreement]:
    """The policy's agreements `user` may see, the newest first (the policy page)."""
    return agreements_visible_to(user).filter(policy=policy)
