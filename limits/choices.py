"""Credit-limit statuses, sources and the RECECO codes of SPEC 5 / Appendix A."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Limits that count towards a buyer's aggregate exposure (SPEC 4).
EXPOSURE_STATUSES = frozenset({LimitStatus.ACTIVE, LimitStatus.SUSPENDED})

STATUS_BADGES = {
    LimitStatus.ACTIVE: "success",
    LimitStatus.SUSPENDED: "warning",
    LimitStatus.CANCELLED: "danger",
    LimitStatus.EXPIRED: "dark",
}


class LimitSource(models.TextChoices):
    DISCRETIONARY = "discretionary", _("Discretionary (set by the insured)")
    INSURER = "insurer", _("Insurer decision")
