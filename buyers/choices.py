from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BuyerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("company status", "Active")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Licence revoked")
    INSOLVENT = "insolvent", _("Insolvent")


class NegativeEventKind(models.TextChoices):
    """SPEC 3.4 and 4: events that trigger a review of every limit on the buyer."""

    INSOLVENCY_FILING = "insolvency_filing", _("Insolvency filing")
    OVERDUE_REPORT = "overdue_report", _("Overdue report from an insured")
    COURT_JUDGMENT = "court_judgment", _("Court judgment")
    DISHONOURED_BILL = "dishonoured_bill", _("Dishonoured bill")
    BOUNCED_PAYMENT = "bounced_payment", _("Bounced payment")
    ADVERSE_REPORT = "adverse_report", _("Adverse report")


RISK_GRADES = [(grade, str(grade)) for grade in range(1, 11)]
BEST_GRADE = 1
DEFAULT_GRADE = 10
# SPEC 4: grades 8-10 get no new limits; grade 10 suspends existing ones.
NO_NEW_LIMIT_GRADES = frozenset({8, 9, 10})
