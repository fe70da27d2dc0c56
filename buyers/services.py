"""Writes on the buyer register (SPEC 4)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buyers.choices import DEFAULT_GRADE
from buyers.models import Buyer, NegativeEvent
from core import reactions
from core.services import action
from core.uscc import normalize_uscc, province_code

ERROR_DUPLICATE_USCC = _("A buyer with this USCC is already in the register.")

BUYER_FIELDS = (
    "uscc", "name", "former_names", "address", "region", "industry", "registered_capital",
    "founded_on", "status", "risk_grade", "is_public_body",
)  # fmt: skip


def buyer_create(*, actor, **fields) -> Buyer:
    """Register a buyer; the USCC is normalised, validated and must be new.

    The region defaults to the province in the USCC's registration-authority code.
    """
    unknown = set(fields) - set(BUYER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown buyer fields: {sorted(unknown)}")
    fields["uscc"] = normalize_uscc(fields.get("uscc", ""))
    if not fields.get("region") and len(fields["uscc"]) == 18:
        fields["region"] = province_code(fields["uscc"])
    with action(actor):
        buyer = Buyer(**fields)
        buyer.full_clean()
        buyer.save()
    return buyer


def buyer_update(*, actor, buyer_id: int, **fields) -> Buyer:
    unknown = set(fields) - set(BUYER_FIELDS) - {"uscc"}
    if unknown:
        raise TypeError(f"Unknown buyer fields: {sorted(unknown)}")
    with action(actor):
        buyer = Buyer.objects.select_for_update().get(id=buyer_id)
        if "uscc" in fields:
            fields["uscc"] = normalize_uscc(fields["uscc"])
        defaulted = fields.get("risk_grade") == DEFAULT_GRADE and buyer.risk_grade != DEFAULT_GRADE
        for field, value in fields.items():
            setattr(buyer, field, value)
        buyer.full_clean()
        buyer.save()
        if defaulted:
            # SPEC 4: grade 10 (default) suspends every existing limit on the buyer; the
            # limits app reacts to this event (buyers does not import it).
            reactions.emit(
                "buyers.buyer.defaulted",
                buyer_id=buyer.pk,
                actor=actor,
                today=timezone.localdate(),
            )
    return buyer


def negative_event_record(
    *, actor, buyer_id: int, kind: str, occurred_on, description=""
) -> NegativeEvent:
    """Record a negative event; the limit-review sweep picks it up (SPEC 4, 5)."""
    with action(actor):
        buyer = Buyer.objects.get(id=buyer_id)
        event = NegativeEvent(
            buyer=buyer,
            kind=kind,
            occurred_on=occurred_on,
            description=description,
            recorded_by=actor,
        )
        event.full_clean()
        event.save()
    return event
