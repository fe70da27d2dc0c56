"""Named personas (healthchecks' hc/test.py style): one per role, two insureds, a bank."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.choices import Role
from tests.factories import (
    BankFactory,
    InsurerFactory,
    OrganisationFactory,
    PolicyFactory,
    UserFactory,
)

PASSWORD = "pw-123456!"
# Every test runs on the same business day, inside the factories' 2026 policy year, so
# that dates computed from "today" (notices, effective dates, deadlines) fall where the
# tests expect them, whatever day the suite runs. The clock ticks from there.
TEST_NOW = datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _business_day():
    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's work factor is the point in production and costs ~0.3 s per persona here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit and API tests run tasks in-process; the worker tests start a real worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def insurer(db):
    return InsurerFactory()


@pytest.fixture
def insured_a(db):
    return OrganisationFactory(name="甲方被保险人有限公司")


@pytest.fixture
def insured_b(db):
    return OrganisationFactory(name="乙方被保险人有限公司")


@pytest.fixture
def bank_org(db):
    return BankFactory()


@pytest.fixture
def personas(db, insurer, insured_a, insured_b, bank_org):
    """Every role a request can come from, keyed by the names the matrix uses."""
    staff = {
        "underwriter": (Role.UNDERWRITER, Decimal("1000000")),
        "senior_underwriter": (Role.SENIOR_UNDERWRITER, Decimal("20000000")),
        "claims_handler": (Role.CLAIMS_HANDLER, Decimal("500000")),
        "claims_manager": (Role.CLAIMS_MANAGER, Decimal("10000000")),
        "admin": (Role.ADMIN, Decimal("100000000")),
    }
    users = {
        name: UserFactory(
            username=name,
            organisation=insurer,
            role=role,
            authority_amount=amount,
            is_staff=name == "admin",
            is_superuser=name == "admin",
        )
        for name, (role, amount) in staff.items()
    }
    users["insured_a"] = UserFactory(
        username="insured_a", organisation=insured_a, role=Role.APPROVER, authority_amount=0
    )
    users["insured_a_clerk"] = UserFactory(
        username="insured_a_clerk", organisation=insured_a, role=Role.CLERK, authority_amount=0
    )
    users["insured_b"] = UserFactory(
        username="insured_b", organisation=insured_b, role=Role.APPROVER, authority_amount=0
    )
    users["bank"] = UserFactory(
        username="bank", organisation=bank_org, role=Role.BANK_USER, authority_amount=0
    )
    return users


@pytest.fixture
def underwriter(personas):
    return personas["underwriter"]


@pytest.fixture
def policy_a(insured_a):
    return PolicyFactory(insured=insured_a)


@pytest.fixture
def policy_b(insured_b):
    return PolicyFactory(insured=insured_b)


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
