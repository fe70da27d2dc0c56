from django.utils.translation import gettext_lazy as _

from core.tables import Column

BUYER_COLUMNS = [
    Column("name", _("Registered name"), sort="name", kind="link"),
    Column("uscc", _("USCC"), sort="uscc"),
    Column("region", _("Region"), sort="region", choice=True),
    Column("industry", _("Industry"), sort="industry", choice=True),
    Column("risk_grade", _("Risk grade"), sort="risk_grade", kind="number"),
    Column("status", _("Status"), sort="status", choice=True),
    Column("registered_capital", _("Registered capital"), sort="registered_capital", kind="money"),
    Column("founded_on", _("Founded"), sort="founded_on", kind="date"),
]
