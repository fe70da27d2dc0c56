"""Texts of the premium account: debit-note lines and notifications (core.texts codes,
stored in rows: never rename one)."""

from django.utils.translation import gettext_lazy as _

from core.texts import system_text

MONEY = ("amount", "turnover", "premium", "minimum", "invoiced", "adjustment", "fee")

LINE_INSTALMENT = system_text(
    "premiums.line.instalment",
    _("Minimum premium, instalment %(sequence)s of %(count)s (minimum premium %(minimum)s)"),
    money=MONEY,
)
LINE_PREMIUM = system_text(
    "premiums.line.premium",
    _("Premium on the declared insured turnover %(turnover)s at %(rate)s%%"),
    money=MONEY,
)
LINE_LESS_MINIMUM = system_text(
    "premiums.line.less_minimum", _("Less the minimum premium"), money=MONEY
)
LINE_LESS_INVOICED = system_text(
    "premiums.line.less_invoiced",
    _("Less the adjustment invoiced before (version %(version)s)"),
    money=MONEY,
)
LINE_RECOVERY_SHARE = system_text(
    "premiums.line.recovery_share",
    _(
        "Claim %(claim)s: insurer's share (%(percentage)s%%) of the recovery of %(amount)s "
        "received on %(received_on)s"
    ),
    money=MONEY,
)
LINE_LIMIT_FEE = system_text(
    "premiums.line.limit_fee", _("Limit fee: %(buyer)s (%(uscc)s)"), money=MONEY
)

DECLARATION_WAITS = system_text(
    "premiums.declaration.waits",
    _("A turnover declaration for %(policy)s %(quarter)s waits for your submission"),
)
DECLARATION_RETURNED = system_text(
    "premiums.declaration.returned",
    _("Your declaration for %(policy)s %(quarter)s was returned by %(user)s"),
)
NOTE_ISSUED = system_text(
    "premiums.note.issued",
    _("Debit note %(number)s issued: %(amount)s due on %(due_on)s"),
    money=MONEY,
)
CREDIT_ISSUED = system_text(
    "premiums.credit.issued",
    _("Credit note %(number)s issued: %(amount)s in your favour"),
    money=MONEY,
)
SUSPENDED_REASON = system_text(
    "premiums.suspended",
    _("Instalment %(number)s is more than %(days)s days overdue."),
)
POLICY_SUSPENDED = system_text(
    "premiums.policy.suspended",
    _("Policy %(policy)s is suspended: instalment %(number)s is more than 30 days overdue"),
    tone="danger",
)
POLICY_REINSTATED = system_text(
    "premiums.policy.reinstated",
    _("Policy %(policy)s is reinstated: the overdue premium is paid"),
    tone="success",
)
