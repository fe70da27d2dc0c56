"""保单明细表, the policy schedule (SPEC 3.2, 9).

Requested when a policy year is put in force, the first year and each renewal alike
(documents.reactions): the insured, the policy number and year, the period, and every
parameter of SPEC 3.2 as the policy's fields hold them, with the minimum premium's
instalments and the maximum liability in figures and in capitals.
"""

from documents import registry
from documents.choices import DocumentKind
from documents.renderers.common import filename_of
from policies.choices import CoverType, SelectionCriterion
from policies.models import Policy
from premiums.rules import instalments

TITLE = "保单明细表"

COVER_TEXTS = {CoverType.WHOLE_TURNOVER: "全额投保", CoverType.SELECTIVE: "选择性投保"}
CRITERION_TEXTS = {
    SelectionCriterion.REGION: "按地区",
    SelectionCriterion.PRODUCT_LINE: "按产品线",
    SelectionCriterion.BUYER_SIZE: "按买方规模",
}


def context(policy: Policy) -> dict:
    policy = Policy.objects.select_related("insured", "renewed_from").get(pk=policy.pk)
    cover = COVER_TEXTS[policy.cover_type]
    if policy.cover_type == CoverType.SELECTIVE:
        details = [CRITERION_TEXTS.get(policy.selection_criterion, "")]
        if policy.selective_share_percent is not None:
            details.append(f"占赊销额 {policy.selective_share_percent.normalize():f}%")
        cover += "（" + "，".join(d for d in details if d) + "）"
    return {
        "policy": policy,
        "insured": policy.insured,
        "cover": cover,
        "premium_rate": f"{policy.premium_rate_percent.normalize():f}",
        "instalments": instalments(
            minimum_premium=policy.minimum_premium,
            count=policy.instalment_count,
            period_start=policy.period_start,
            period_end=policy.period_end,
        ),  # fmt: skip
    }


def register() -> None:
    registry.register(
        DocumentKind.POLICY_SCHEDULE,
        template="documents/policy_schedule.html",
        context=context,
        title=TITLE,
        filename=filename_of(TITLE),
    )
