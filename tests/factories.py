"""factory_boy factories: every object valid by default, USCCs with correct check characters."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from buyers.models import Buyer, BuyerCapacity
from core.uscc import uscc_with_check
from policies.models import Policy
from policies.rules import maximum_liability, minimum_premium


def _uscc(n: int) -> str:
    return uscc_with_check(f"91440300{n:08d}X"[:17])


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.INSURED
    name = factory.Sequence(lambda n: f"测试被保险人{n}有限公司")
    uscc = factory.Sequence(lambda n: uscc_with_check(f"913301{n:010d}1"[:17]))
    region = "33"
    industry = "C"
    founded_on = date(2010, 1, 1)


class InsurerFactory(OrganisationFactory):
    kind = OrganisationKind.INSURER
    name = "测试保险公司"
    uscc = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        existing = model_class.objects.filter(kind=OrganisationKind.INSURER).first()
        return existing or super()._create(model_class, *args, **kwargs)


class BankFactory(OrganisationFactory):
    kind = OrganisationKind.BANK
    name = factory.Sequence(lambda n: f"测试银行{n}分行")
    industry = "J"


# Every persona's password; long enough for AUTH_PASSWORD_VALIDATORS, as a real one must be.
PASSWORD = "pw-1234567890!"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    organisation = factory.SubFactory(InsurerFactory)
    role = Role.UNDERWRITER
    authority_amount = Decimal("1000000")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BuyerFactory(DjangoModelFactory):
    class Meta:
        model = Buyer

    uscc = factory.Sequence(lambda n: uscc_with_check(f"914403{n:010d}2"[:17]))
    name = factory.Sequence(lambda n: f"深圳测试买方{n}电子有限公司")
    region = "44"
    industry = "C"
    risk_grade = 4


class BuyerCapacityFactory(DjangoModelFactory):
    class Meta:
        model = BuyerCapacity
        django_get_or_create = ("risk_grade",)

    risk_grade = 4
    max_exposure = Decimal("10000000")


class PolicyFactory(DjangoModelFactory):
    """A policy row as the services would write it (amounts derived by the rules)."""

    class Meta:
        model = Policy

    insured = factory.SubFactory(OrganisationFactory)
    policy_number = factory.Sequence(lambda n: f"TCI2026{n:06d}")
    period_start = date(2026, 1, 1)
    period_end = date(2026, 12, 31)
    estimated_annual_turnover = Decimal("50000000")
    premium_rate_percent = Decimal("0.5")
    annual_credit_turnover = Decimal("60000000")
    buyer_count = 10
    minimum_premium = factory.LazyAttribute(
        lambda p: minimum_premium(
            estimated_annual_turnover=p.estimated_annual_turnover,
            premium_rate_percent=p.premium_rate_percent,
        )
    )
    max_liability = factory.LazyAttribute(
        lambda p: maximum_liability(minimum_premium=p.minimum_premium, multiple=50)
    )
