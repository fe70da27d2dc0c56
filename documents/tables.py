"""Columns of the documents list, shared by the page and its CSV/XLSX export."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tables import Column


@dataclass(frozen=True)
class ShortHashColumn(Column):
    """The first twelve hex digits on screen; the export has the whole hash."""

    def display(self, obj) -> str:
        return obj.sha256_short


@dataclass(frozen=True)
class LocalTimeColumn(Column):
    """A moment in Beijing time, to the minute."""

    kind: str = "date"

    def text(self, obj) -> str:
        value = self.raw(obj)
        return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


DOCUMENT_COLUMNS = [
    Column("reference", _("Reference"), sort="reference", kind="link", testid="reference"),
    Column("kind", _("Document"), sort="kind", choice=True),
    Column("version", _("Version"), sort="version", kind="number"),
    Column("policy.policy_number", _("Policy"), sort="policy__policy_number"),
    Column("buyer.name", _("Buyer"), sort="buyer__name"),
    Column("status", _("Status"), sort="status", kind="badge", choice=True, testid="status"),
    LocalTimeColumn("issued_at", _("Issued at"), sort="issued_at"),
    Column("page_count", _("Pages"), kind="number"),
    ShortHashColumn("sha256", _("SHA-256")),
]
