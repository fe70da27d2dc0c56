"""Texts of notices and claims: notifications (core.texts codes, stored in rows: never
rename one)."""

from django.utils.translation import gettext_lazy as _

from claims.choices import ClaimStatus
from core.texts import system_text

MONEY = ("amount", "indemnity", "insurer_share", "insured_share")

NOTICE_TO_FILE = system_text(
    "claims.notice.to_file",
    _("Overdue notice %(reference)s on %(buyer)s is ready for you to file"),
    money=MONEY,
)
NOTICE_RETURNED = system_text(
    "claims.notice.returned",
    _("Overdue notice %(reference)s was returned to you: %(comment)s"),
    money=MONEY,
)
NOTICE_FILED = system_text(
    "claims.notice.filed",
    _("Overdue notice %(reference)s filed on %(buyer)s (%(amount)s)"),
    money=MONEY,
    tone="warning",
)
NOTICE_FILED_LATE = system_text(
    "claims.notice.filed_late",
    _("Overdue notice %(reference)s filed %(days_late)s days late on %(buyer)s (%(amount)s)"),
    money=MONEY,
    tone="danger",
)
NOTICE_FILED_BODY = system_text(
    "claims.notice.filed_body",
    _(
        "Policy %(policy)s. From the filing, later deliveries on credit to the buyer are not "
        "covered and its limits under the policy are suspended."
    ),
    money=MONEY,
)
CLAIM_OPENED = system_text(
    "claims.claim.opened", _("Claim %(reference)s opened on %(buyer)s"), tone="info"
)
DOCUMENTS_REQUESTED = system_text(
    "claims.claim.documents_requested",
    _("Claim %(reference)s: please send the missing documents: %(kinds)s"),
    tone="warning",
)
DOCUMENTS_COMPLETE = system_text(
    "claims.claim.documents_complete",
    _("Claim %(reference)s: the documents are complete; the waiting period ends on %(until)s"),
    tone="info",
)
WAITING_ENDED = system_text(
    "claims.claim.waiting_ended",
    _("Claim %(reference)s: the waiting period has ended; the claim is in assessment"),
    tone="info",
)
TO_APPROVE = system_text(
    "claims.claim.to_approve",
    _("Claim %(reference)s: an indemnity of %(indemnity)s waits for your approval"),
    money=MONEY,
    tone="warning",
)
APPROVED = system_text(
    "claims.claim.approved",
    _("Claim %(reference)s approved: indemnity %(indemnity)s"),
    money=MONEY,
    tone="success",
)
DECLINED = system_text("claims.claim.declined", _("Claim %(reference)s declined"), tone="danger")
PAID = system_text(
    "claims.claim.paid",
    _("Claim %(reference)s: indemnity %(indemnity)s paid to %(payee)s"),
    money=MONEY,
    tone="success",
)
# What a bank financing the buyer reads of each step of a claim (SPEC 8).
CLAIM_STEP_FOR_BANK = system_text(
    "claims.claim.step_for_bank",
    _("Claim %(reference)s on %(buyer)s: %(status)s"),
    choices={"status": ClaimStatus},
)
RECOVERY_SHARE = system_text(
    "claims.recovery.share",
    _(
        "Recovery of %(amount)s on claim %(reference)s after payment: insurer's share "
        "%(insurer_share)s, insured's share %(insured_share)s"
    ),
    money=MONEY,
)
