import pghistory
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField
from limits.choices import EXPOSURE_STATUSES, STATUS_BADGES, LimitSource, LimitStatus


@pghistory.track()
class CreditLimit(models.Model):
    """The credit limit on one buyer under one policy (SPEC 5): revolving, in CNY."""

    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.PROTECT,
        related_name="credit_limits",
        verbose_name=_("policy"),
    )
    buyer = models.ForeignKey(
        "buyers.Buyer",
        on_delete=models.PROTECT,
        related_name="credit_limits",
        verbose_name=_("buyer"),
    )
    amount = MoneyField(_("limit amount"))
    payment_terms_days = models.PositiveSmallIntegerField(_("maximum payment terms (days)"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LimitStatus.choices, default=LimitStatus.ACTIVE
    )
    source = models.CharField(_("source"), max_length=16, choices=LimitSource.choices)
    effective_from = models.DateField(_("effective from"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")
        constraints = [
            # One current limit per (policy, buyer); ended ones stay for history.
            models.UniqueConstraint(
                fields=["policy", "buyer"],
                condition=Q(status__in=sorted(EXPOSURE_STATUSES)),
                name="limit_one_current_per_policy_buyer",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="limit_amount_positive"),
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=365), name="limit_terms_max_365"
            ),
        ]
        indexes = [
            models.Index(
                fields=["buyer"],
                condition=Q(status__in=sorted(EXPOSURE_STATUSES)),
                name="limit_exposure_idx",
            ),
        ]

    def __str__(self):
        return f"{self.policy} · {self.buyer.name} · {self.amount}"

    def get_absolute_url(self):
        return reverse("buyers:detail", args=[self.buyer_id])

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]
