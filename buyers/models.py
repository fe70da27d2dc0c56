import pghistory
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buyers.choices import RISK_GRADES, BuyerStatus, NegativeEventKind
from core.choices import Industry, Province
from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.money import MoneyField
from core.text import LONG_TEXT_MAX_LENGTH
from core.uscc import validate_uscc


class NormalisedName(models.Func):
    """A name as the search compares it (migration 0005, `buyer_normalised_name`): NFKC
    (full-width letters, digits and brackets become ASCII), lower case, without spaces
    and punctuation, without its legal form (有限公司, 股份有限公司, 集团, 厂 ...) and with
    省/市/自治区 dropped after a leading province or city: 江苏省苏州市瑞丰医药有限公司 and
    苏州瑞丰医药 are both 江苏苏州瑞丰医药 / 苏州瑞丰医药."""

    function = "buyer_normalised_name"
    output_field = models.TextField()


class NameBigrams(models.Func):
    """The distinct two-character pieces of the normalised current and former names."""

    function = "buyer_name_bigrams"
    output_field = ArrayField(models.TextField())


@pghistory.track()
class Buyer(models.Model):
    """A buyer company (SPEC 4): the legal entity that contracts and pays.

    One record per USCC, shared by every policy; carries the insurer's view of it.
    """

    uscc = models.CharField(_("USCC"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("registered name"), max_length=200)
    former_names = models.TextField(
        _("former names"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        help_text=_("One former name per line."),
    )
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=2, choices=Province.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    registered_capital = MoneyField(_("registered capital"), null=True, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=BuyerStatus.choices, default=BuyerStatus.ACTIVE
    )
    risk_grade = models.PositiveSmallIntegerField(_("risk grade"), choices=RISK_GRADES, default=5)
    is_public_body = models.BooleanField(
        _("public buyer"),
        default=False,
        help_text=_("Government body or other public buyer: never covered."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        indexes = [
            # The name search's candidates (buyers.selectors.buyer_search): character
            # bigrams suit Chinese names, where trigrams miss a two-character query.
            GinIndex(NameBigrams("name", "former_names"), name="buyer_name_bigrams"),
            # Equal to, or starting with, the normalised query.
            models.Index(
                OpClass(NormalisedName("name"), name="text_pattern_ops"),
                name="buyer_normalised_name",
            ),
            models.Index(fields=["risk_grade"], name="buyer_grade_idx"),
            # Lists and search results are ordered by name (see buyer_search).
            models.Index(fields=["name", "id"], name="buyer_name_idx"),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(risk_grade__gte=1, risk_grade__lte=10),
                name="buyer_grade_1_to_10",
                field="risk_grade",
                violation_error_message=_("The risk grade is from 1 to 10."),
            ),
            FieldCheckConstraint(
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
                name="buyer_capital_not_negative",
                field="registered_capital",
                violation_error_message=_("This amount cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.uscc})"

    def get_absolute_url(self):
        return reverse("buyers:detail", args=[self.pk])


@pghistory.track()
class NegativeEvent(models.Model):
    """A negative event on a buyer (SPEC 4): each triggers a review of its limits."""

    buyer = models.ForeignKey(
        Buyer, on_delete=models.CASCADE, related_name="negative_events", verbose_name=_("buyer")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NegativeEventKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Set when the limit-review sweep has opened the reviews this event calls for.
    reviews_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("negative event")
        verbose_name_plural = _("negative events")
        indexes = [
            models.Index(
                fields=["recorded_at"],
                condition=Q(reviews_opened_at__isnull=True),
                name="event_review_pending_idx",
            )
        ]


@pghistory.track()
class RelatedParty(models.Model):
    """A buyer related to an insured (关联企业): no limit on that insured's policies."""

    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="related_parties")
    insured = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="related_buyers"
    )
    relation = models.CharField(_("relation"), max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("related-party link")
        verbose_name_plural = _("related-party links")
        constraints = [
            FieldUniqueConstraint(
                fields=["buyer", "insured"],
                name="related_party_unique",
                field="insured",
                violation_error_message=_("This buyer is already linked to this insured."),
            )
        ]


@pghistory.track()
class BuyerCapacity(models.Model):
    """The insurer's maximum aggregate exposure on one buyer of a grade (SPEC 4)."""

    risk_grade = models.PositiveSmallIntegerField(_("risk grade"), choices=RISK_GRADES, unique=True)
    max_exposure = MoneyField(_("maximum aggregate exposure"))

    class Meta:
        ordering = ["risk_grade"]
        verbose_name = _("buyer capacity")
        verbose_name_plural = _("buyer capacities")
        constraints = [
            FieldCheckConstraint(
                condition=Q(max_exposure__gte=0),
                name="capacity_not_negative",
                field="max_exposure",
                violation_error_message=_("This amount cannot be negative."),
            )
        ]

    def __str__(self):
        return f"{self.risk_grade}: {self.max_exposure}"
