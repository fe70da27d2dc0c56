"""限额批复通知书, the letter of a credit-limit decision (SPEC 5, 9).

Requested for every decision, automatic ones included (documents.reactions, on the
event `limits.decision.recorded`): the insured, the buyer, what was asked (request type,
amount), the decision with its RECECO code and label, the amount granted in figures and
in capitals, the payment terms, the notice and effective dates, the reason and any
conditions, and the decision's reference.
"""

from documents import registry
from documents.choices import DocumentKind
from documents.renderers.common import filename_of
from limits.choices import ReasonCode, RequestType, ResponseCode
from limits.models import LimitDecision

TITLE = "限额批复通知书"

# RECECO (SPEC Appendix A) as the letter prints them; tests/documents check that every
# code has its text.
REQUEST_TEXTS = {
    RequestType.NEW: "新申请限额",
    RequestType.INCREASE: "申请增加限额",
    RequestType.CANCELLATION: "撤销限额",
    RequestType.REDUCTION: "降低限额",
    RequestType.PROLONGATION: "限额展期",
}
RESPONSE_TEXTS = {
    ResponseCode.PRELIMINARY: "初步评估",
    ResponseCode.APPROVED: "批准",
    ResponseCode.NOT_APPROVED: "不予批准",
    ResponseCode.CONDITIONAL: "有条件批准",
    ResponseCode.PARTLY_APPROVED: "部分批准",
    ResponseCode.INVESTIGATING: "调查中",
    ResponseCode.CANCELLATION: "撤销限额",
    ResponseCode.REDUCTION: "降低限额",
    ResponseCode.CLOSE_ACCOUNT: "关闭买方账户",
}
REASON_TEXTS = {
    ReasonCode.FINANCIALS_NOT_PROVIDED: "未提供所要求的财务资料",
    ReasonCode.NO_FINANCIALS: "无可用的财务资料",
    ReasonCode.OUT_OF_BUSINESS: "买方已停业",
    ReasonCode.NEW_COMPANY: "新设企业",
    ReasonCode.NOT_REGISTERED: "买方未经登记注册",
    ReasonCode.NON_TRADING: "买方无经营活动",
    ReasonCode.NO_COMMENT: "无特别说明",
    ReasonCode.INSOLVENCY_ONLY: "仅承保买方无力清偿风险",
    ReasonCode.ADVERSE_INFORMATION: "买方存在不利公开信息",
    ReasonCode.CAPACITY_REACHED: "买方承保能力已满",
    ReasonCode.LACK_OF_TURNOVER: "交易量不足",
    ReasonCode.OTHER: "其他原因",
}
# Decisions that grant cover (an amount the insured may ship against).
GRANTING = frozenset(
    {ResponseCode.APPROVED, ResponseCode.CONDITIONAL, ResponseCode.PARTLY_APPROVED,
     ResponseCode.REDUCTION}
)  # fmt: skip
ENDING = frozenset({ResponseCode.CANCELLATION, ResponseCode.CLOSE_ACCOUNT})


def decision_reference(decision: LimitDecision) -> str:
    """The decision's own number, as the insurer quotes it: LD-<year>-<id>."""
    return f"LD-{decision.created_at:%Y}-{decision.pk:07d}"


def context(decision: LimitDecision) -> dict:
    decision = LimitDecision.objects.select_related(
        "policy", "policy__insured", "buyer", "credit_limit", "application", "decided_by",
        "approved_by",
    ).get(pk=decision.pk)  # fmt: skip
    code = decision.response_code
    return {
        "decision": decision,
        "policy": decision.policy,
        "insured": decision.policy.insured,
        "buyer": decision.buyer,
        "application": decision.application,
        "request_text": REQUEST_TEXTS.get(decision.request_type, "限额复评"),
        "response_text": RESPONSE_TEXTS[code],
        "reason_text": REASON_TEXTS[decision.reason_code],
        "granting": code in GRANTING,
        "ending": code in ENDING,
        "refused": code == ResponseCode.NOT_APPROVED,
        "partial": decision.requested_amount is not None
        and decision.amount is not None
        and decision.amount < decision.requested_amount,
        "explanation": decision.explanation_for_insured,
        "decision_reference": decision_reference(decision),
    }


def register() -> None:
    registry.register(
        DocumentKind.LIMIT_LETTER,
        template="documents/limit_letter.html",
        context=context,
        title=TITLE,
        filename=filename_of(TITLE),
    )
