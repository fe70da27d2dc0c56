"""Texts of agreements and of a bank's feed (core.texts codes, stored in rows: never
rename one)."""

from django.utils.translation import gettext_lazy as _

from core.texts import system_text

ACTIVE = system_text(
    "banks.agreement.active",
    _("Assignment agreement %(reference)s with %(insured)s is in force (policy %(policy)s)"),
    tone="success",
)
AMENDED = system_text(
    "banks.agreement.amended",
    _("Assignment agreement %(reference)s was amended with your consent; it ends on %(ends_on)s"),
    tone="info",
)
ENDED = system_text(
    "banks.agreement.ended",
    _("Assignment agreement %(reference)s with %(insured)s has ended"),
    tone="danger",
)
ENDING = system_text(
    "banks.agreement.ending",
    _("Assignment agreement %(reference)s with %(insured)s ends on %(ends_on)s"),
    tone="warning",
)
POLICY_SUSPENDED = system_text(
    "banks.policy.suspended",
    _("Policy %(policy)s of %(insured)s is suspended for unpaid premium: new shipments are "
      "not covered until it is paid"),
    tone="danger",
)  # fmt: skip
POLICY_REINSTATED = system_text(
    "banks.policy.reinstated",
    _("Policy %(policy)s of %(insured)s is in force again"),
    tone="success",
)
POLICY_ENDED = system_text(
    "banks.policy.ended", _("Policy %(policy)s of %(insured)s has ended"), tone="danger"
)
