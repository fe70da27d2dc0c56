"""Named personas (healthchecks' hc/test.py style): one per role, two insureds, a bank.

Also what makes the suite fast: cheap password hashing, tasks run in-process, and
`shared_data` for a module whose tests all start from one expensive world.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.choices import Role
from tests.factories import (
    BankFactory,
    InsurerFactory,
    OrganisationFactory,
    PolicyFactory,
    UserFactory,
)

# Every test runs on the same business day, inside the factories' 2026 policy year, so
# that dates computed from "today" (notices, effective dates, deadlines) fall where the
# tests expect them, whatever day the suite runs. The clock ticks from there.
TEST_NOW = datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True, scope="session")
def _business_day():
    # Session-wide, so that worlds shared by a module (`shared_data`) are built on it too.
    with time_machine.travel(TEST_NOW, tick=True):
        yield


# Parallel runs (pytest-xdist, scripts/test.sh). Every worker has a test database of its
# own: pytest-django names them test_<name>_gw0, _gw1... Migrating each of them costs a
# worker 10-60 s of CPU depending on the machine's load, and grows with every app, so the
# controller migrates one database before the workers start, and each worker's database
# is created as a copy of it (CREATE DATABASE ... TEMPLATE, well under a second); the
# workers' own `migrate` then finds nothing to apply. Still a fresh database every run.
TEMPLATE_DATABASE = pytest.StashKey[tuple[str, str]]()


def _building_a_template(config) -> bool:
    keep = config.getoption("reuse_db") and not config.getoption("create_db")
    return not (keep or config.getoption("nomigrations"))


@pytest.hookimpl(optionalhook=True)  # an xdist hook
def pytest_xdist_setupnodes(config, specs):
    """Controller, before the workers start: migrate the database they will copy."""
    if not _building_a_template(config):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        original_name = connection.settings_dict["NAME"]
        template = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        connection.close()
    config.stash[TEMPLATE_DATABASE] = (original_name, template)


@pytest.hookimpl(optionalhook=True)  # an xdist hook
def pytest_configure_node(node):
    if TEMPLATE_DATABASE in node.config.stash:
        node.workerinput["template_database"] = node.config.stash[TEMPLATE_DATABASE][1]


def pytest_sessionfinish(session):
    """Controller, after the workers have dropped their databases: drop the template."""
    if TEMPLATE_DATABASE not in session.config.stash:
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    original_name, _template = session.config.stash[TEMPLATE_DATABASE]
    with session.config.stash[blocking_manager_key].unblock():
        connection.creation.destroy_test_db(original_name, verbosity=0)


def pytest_configure(config):
    """In an xdist worker: its database is a copy of the template, and its Celery tasks
    go to a queue of its own. The worker tests start real Celery workers that take every
    task from their queue, and purge it: two test workers on one queue would take or
    purge each other's tasks. They stay on the one Redis database the caller gave the
    tests (TEST_CELERY_BROKER_URL), as other test runs on this machine have theirs."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return
    from django.conf import settings

    from config.celery import app

    if "template_database" in workerinput:
        test_settings = settings.DATABASES["default"].setdefault("TEST", {})
        test_settings["TEMPLATE"] = workerinput["template_database"]
    app.conf.task_default_queue = f"celery.{workerinput['workerid']}"


@pytest.fixture(autouse=True, scope="session")
def _fast_test_settings():
    """Session-wide, so that data built once per module (`shared_data`) profits too."""
    with override_settings(
        # PBKDF2's work factor is the point in production and costs ~0.3 s per persona.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Every test client builds its own middleware chain, and WhiteNoise with finders
        # lists and stats every static file of every app at that moment: 0.1 s per
        # client, a third of an API test. No test fetches /static/ through a client; the
        # live server of the browser tests serves it with Django's StaticFilesHandler.
        WHITENOISE_USE_FINDERS=False,
    ):
        yield


@contextmanager
def _celery_eager():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit and API tests run tasks in-process; the worker tests start a real worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with _celery_eager():
        yield


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


T = TypeVar("T")


def shared_data(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """For a module- or class-scoped fixture: `yield from shared_data(django_db_blocker, f)`.

    `build()` runs once, inside a transaction that stays open while the tests run and is
    rolled back after the last one (Django's `setUpTestData`, per module). Each test's
    own transaction (pytest-django's `db`) is a savepoint inside it, so whatever a test
    writes is undone before the next test starts. Only for tests without
    `transaction=True` (those commit, and would commit the world with them). Hand the
    tests ids, not model instances: an instance a test changed would carry the change
    into the next test even though its row was rolled back.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        # As Django marks its TestCase transactions: a service's `atomic(durable=True)`
        # may run inside it, as it would at the top level in production.
        outer._from_testcase = True
        try:
            with _celery_eager():
                data = build()
        except BaseException:
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def make_personas(*, insurer, insured_a, insured_b, bank_org, bank_y_org=None) -> dict:
    """Every role a request can come from, keyed by the names the matrix uses. With
    `bank_y_org`, also `bank_y`: a user of a second bank, whose agreements cover nothing
    of bank X's (the matrix proves each bank sees only its own)."""
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
    if bank_y_org is not None:
        users["bank_y"] = UserFactory(
            username="bank_y", organisation=bank_y_org, role=Role.BANK_USER, authority_amount=0
        )
    return users


@pytest.fixture
def personas(db, insurer, insured_a, insured_b, bank_org):
    return make_personas(
        insurer=insurer, insured_a=insured_a, insured_b=insured_b, bank_org=bank_org
    )


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


@pytest.fixture
def security_log():
    """The lines of `tci.security` as its handler would write them (it does not
    propagate to the root logger that pytest's caplog listens to)."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    logger = logging.getLogger("tci.security")
    handler = Collect()
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
