"""Who may see what (SPEC 2, 8): one module, for every model, read by every view, viewset,
export, template and related read. Start every read here; an object outside the result
is a 404 for that user.

- Insurer staff see every row, except what the rule keeps from them (an insured's draft
  application is still the insured's own business; reviews are staff-only anyway).
- Insured users see the rows under their own organisation's policies.
- Bank users see only what an active assignment agreement naming their bank covers: the
  rule gives the path to the policy and to the buyer, and the banks app (SPEC 8) answers
  which (policy, buyer) pairs are covered by registering `register_bank_coverage`. Until
  it does, a bank sees nothing, by design.

Rules name models by "app_label.Model" and relations by lookup paths, so this module
imports no app: apps below and above use it alike.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Rule:
    """`insured`: the lookup to the insured organisation's id (or a function of the user
    returning a Q); `policy`/`buyer`: the lookups to the policy and the buyer, for the
    bank branch (None where the model has no such side); `staff`: a Q the staff must
    match; `staff_only`: portal users see none."""

    insured: str | Callable | None = None
    policy: str | None = None
    buyer: str | None = None
    staff: Q | None = None
    staff_only: bool = False
    # What portal users (insured and bank) must match, and what banks must match besides
    # (a Q, or a function of the user returning one).
    portal: Q | None = None
    bank: Q | Callable | None = None
    # The lookup to the bank's organisation id on rows that are a bank's own (its
    # agreements, its feed): a bank sees its own, whatever the coverage.
    bank_org: str | None = None


def _insured_buyers(user) -> Q:
    """An insured sees the buyers it holds a limit on or has applied for, not the register."""
    # One IN over the union of the two sets of buyer ids: the OR of two EXISTS read every
    # buyer of the register for an insured's few (EXPLAIN ANALYZE, issue 10 B7).
    limits = apps.get_model("limits", "CreditLimit").objects.filter(
        policy__insured_id=user.organisation_id
    )
    applications = apps.get_model("limits", "LimitApplication").objects.filter(
        policy__insured_id=user.organisation_id
    )
    return Q(
        pk__in=limits.order_by()
        .values("buyer_id")
        .union(applications.order_by().values("buyer_id"))
    )


def _bank_documents(prefix: str) -> Callable:
    """A bank reads the documents on the buyers it covers, the policy schedule, and its
    own agreements; not the premium account's debit notes."""

    def documents(user) -> Q:
        own = apps.get_model("banks", "AssignmentAgreement").objects.filter(
            bank_id=user.organisation_id
        )
        return (
            Q(**{f"{prefix}buyer__isnull": False})
            | Q(**{f"{prefix}kind": "policy_schedule"})
            | Q(**{f"{prefix}kind": "assignment_agreement",
                   f"{prefix}subject_id__in": own.values("pk")})
        )  # fmt: skip

    return documents


def _banks_rules() -> dict[str, Rule]:
    """Agreements are the insurer's, the insured's and the named bank's (SPEC 8): the bank
    sees its own agreements in force or ended (what they cover only while in force), its
    own feed; the insured's receivables reports only on the buyers it covers."""
    shown = ["active", "terminated"]

    def agreement_part(prefix: str) -> Rule:
        return Rule(
            insured=f"{prefix}policy__insured_id", bank_org=f"{prefix}bank_id",
            bank=Q(**{f"{prefix}status__in": shown}),
        )  # fmt: skip

    return {
        "banks.AssignmentAgreement": agreement_part(""),
        "banks.AgreementStatusChange": agreement_part("agreement__"),
        "banks.BankConsent": agreement_part("agreement__"),
        "banks.AgreementBuyer": Rule(
            insured="policy__insured_id", bank_org="bank_id", bank=Q(active=True)
        ),
        "banks.ReceivableReport": Rule(
            insured="policy__insured_id", policy="policy_id", buyer="buyer_id"
        ),
        "banks.BankEvent": Rule(bank_org="bank_id"),
        "banks.BankReader": Rule(staff_only=True),
    }


def _claims_rules() -> dict[str, Rule]:
    unfiled = ["draft", "discarded"]
    internal = ["submit_for_approval", "return"]

    def through(prefix: str, **extra) -> Rule:
        return Rule(
            insured=f"{prefix}policy__insured_id", policy=f"{prefix}policy_id",
            buyer=f"{prefix}buyer_id", **extra,
        )  # fmt: skip

    def notice_part(prefix: str) -> Rule:
        return through(
            prefix, staff=~Q(**{f"{prefix}status__in": unfiled}),
            bank=Q(**{f"{prefix}status": "filed"}),
        )  # fmt: skip

    return {
        "claims.OverdueNotice": notice_part(""),
        "claims.NoticeStatusChange": notice_part("notice__"),
        "claims.NoticeInvoice": notice_part("notice__"),
        "claims.InvoiceExtension": notice_part("invoice__notice__"),
        "claims.RepaymentPlan": notice_part("notice__"),
        "claims.PlanInstalment": notice_part("plan__notice__"),
        "claims.Claim": through(""),
        # The insurer's internal steps (a submission for second approval with the figure
        # and the note, a return) stay the insurer's until the decision.
        "claims.ClaimStatusChange": through("claim__", portal=~Q(action__in=internal)),
        # The claim file is the insured's commercial paper: not the bank's.
        "claims.ClaimDocument": Rule(insured="claim__policy__insured_id"),
        "claims.DocumentRequest": Rule(insured="claim__policy__insured_id"),
        "claims.Recovery": through("claim__"),
        "claims.Worksheet": through("claim__", portal=Q(status="approved")),
        "claims.WorksheetLine": through(
            "worksheet__claim__", portal=Q(worksheet__status="approved")
        ),
        "claims.ClaimDecision": through("claim__", portal=~Q(action__in=internal)),
        "claims.IndemnityPayment": through("claim__"),
        "claims.PolicyLiability": Rule(staff_only=True),
    }


RULES: dict[str, Rule] = {
    "policies.Policy": Rule(insured="insured_id", policy="pk"),
    "policies.PolicyTransition": Rule(insured="policy__insured_id", policy="policy_id"),
    "buyers.Buyer": Rule(insured=_insured_buyers, buyer="pk"),
    "limits.CreditLimit": Rule(insured="policy__insured_id", policy="policy_id", buyer="buyer_id"),
    "limits.CreditLimitChange": Rule(
        insured="credit_limit__policy__insured_id",
        policy="credit_limit__policy_id",
        buyer="credit_limit__buyer_id",
    ),
    "limits.LimitApplication": Rule(
        insured="policy__insured_id",
        policy="policy_id",
        buyer="buyer_id",
        staff=~Q(status="draft"),
    ),
    "limits.LimitDecision": Rule(
        insured="policy__insured_id", policy="policy_id", buyer="buyer_id"
    ),
    "limits.LimitReview": Rule(staff_only=True),
    "policies.PolicySuspension": Rule(insured="policy__insured_id", policy="policy_id"),
    # A deadline of an insured's draft (a notice being prepared, a limit application) is
    # the insured's own business, like the draft itself.
    "deadlines.Deadline": Rule(
        insured="policy__insured_id",
        policy="policy_id",
        buyer="buyer_id",
        staff=Q(private=False),
        # The policy's own deadlines (declarations, instalments) are the premium account's.
        bank=Q(private=False, buyer__isnull=False),
    ),
    # The premium account is the insured's and the insurer's business, not the bank's
    # (SPEC 2): no policy or buyer path, so a bank sees none of it.
    "premiums.Declaration": Rule(
        insured="policy__insured_id", staff=~Q(status__in=["draft", "discarded"])
    ),
    "premiums.DeclarationStatusChange": Rule(
        insured="declaration__policy__insured_id",
        staff=~Q(declaration__status__in=["draft", "discarded"]),
    ),
    "premiums.DeclarationUpload": Rule(insured="organisation_id"),
    "premiums.DebitNote": Rule(insured="policy__insured_id"),
    "premiums.DebitNoteLine": Rule(insured="debit_note__policy__insured_id"),
    "premiums.Payment": Rule(insured="debit_note__policy__insured_id"),
    "premiums.PremiumAdjustment": Rule(insured="policy__insured_id"),
    # Generated PDFs (SPEC 9): by their policy and buyer; a download also needs the
    # document's subject to be visible (documents.selectors).
    "documents.Document": Rule(
        insured="policy__insured_id",
        policy="policy_id",
        buyer="buyer_id",
        bank=_bank_documents(""),
    ),  # fmt: skip
    "documents.DocumentStatusChange": Rule(
        insured="document__policy__insured_id",
        policy="document__policy_id",
        buyer="document__buyer_id",
        bank=_bank_documents("document__"),
    ),
    # Claims (SPEC 7): a draft notice is the insured's own business until it is filed.
    **_claims_rules(),
    **_banks_rules(),
    "limits.PendingOrdersCover": Rule(
        insured="credit_limit__policy__insured_id",
        policy="credit_limit__policy_id",
        buyer="credit_limit__buyer_id",
    ),
}

# The banks app registers how agreements cover (policy, buyer) pairs (SPEC 8):
# coverage(user, policy_lookup, buyer_lookup) -> Q over the model being read.
_bank_coverage: list[Callable] = []


def register_bank_coverage(coverage: Callable) -> None:
    if coverage not in _bank_coverage:
        _bank_coverage.append(coverage)


def _label(model: type[Model]) -> str:
    return model._meta.label


def rule_for(model: type[Model] | str) -> Rule:
    label = model if isinstance(model, str) else _label(model)
    try:
        return RULES[label]
    except KeyError:
        raise LookupError(f"No visibility rule for {label}: add one to core.scope") from None


def visible(user, model: type[Model] | str | QuerySet) -> QuerySet:
    """The rows of `model` (a model, its label, or a queryset to narrow) `user` may see."""
    if isinstance(model, QuerySet):
        qs, model = model, model.model
    else:
        model = apps.get_model(model) if isinstance(model, str) else model
        qs = model._default_manager.all()
    rule = rule_for(model)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_insurer_staff:
        return qs.filter(rule.staff) if rule.staff is not None else qs
    if rule.staff_only:
        return qs.none()
    if rule.portal is not None:
        qs = qs.filter(rule.portal)
    if user.is_insured_user and rule.insured is not None:
        if callable(rule.insured):
            return qs.filter(rule.insured(user))
        return qs.filter(**{rule.insured: user.organisation_id})
    if not user.is_bank_user:
        return qs.none()
    if rule.bank is not None:
        qs = qs.filter(rule.bank(user) if callable(rule.bank) else rule.bank)
    if rule.bank_org:
        return qs.filter(**{rule.bank_org: user.organisation_id})
    if (rule.policy or rule.buyer) and _bank_coverage:
        covered = Q()
        for coverage in _bank_coverage:
            covered |= coverage(user, rule.policy, rule.buyer)
        return qs.filter(covered)
    return qs.none()


def can_see(user, instance: Model) -> bool:
    return visible(user, type(instance)).filter(pk=instance.pk).exists()
