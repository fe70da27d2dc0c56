from django.utils.translation import gettext_lazy as _

from core.tables import Column

POLICY_COLUMNS = [
    Column("policy_number", _("Policy number"), sort="policy_number", kind="link"),
    Column("year_index", _("Year"), sort="year_index", kind="number"),
    Column("insured.name", _("Insured"), sort="insured__name"),
    Column("status", _("Status"), sort="status", kind="badge", choice=True),
    Column("period_start", _("Start"), sort="period_start", kind="date"),
    Column("period_end", _("End"), sort="period_end", kind="date"),
    Column("premium_rate_percent", _("Rate (%)"), sort="premium_rate_percent", kind="number"),
    Column("minimum_premium", _("Minimum premium"), sort="minimum_premium", kind="money"),
    Column("max_liability", _("Maximum liability"), sort="max_liability", kind="money"),
]
