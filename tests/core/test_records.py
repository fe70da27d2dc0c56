"""Insurance records are never deleted (SPEC 11, issue 11 item 8; core/records.py).

For every kept model: a DELETE through the ORM and through raw SQL raises and deletes
nothing, and the admin offers no delete. The rows come from the authorization matrix's
world (one of each kind of record), built once for the module.
"""

from datetime import timedelta
from decimal import Decimal

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.utils import timezone
from psycopg import sql

from accounts.models import User
from banks.models import AgreementBuyer
from claims.choices import DocumentKind
from claims.models import (
    Claim,
    DocumentRequest,
    InvoiceExtension,
    NoticeInvoice,
    Recovery,
)
from core.models import StatusChange
from limits.choices import PendingOrdersStatus
from limits.models import CreditLimit, LimitDecision, PendingOrdersCover
from policies.choices import EligibilityCode, PolicyAction, PolicyStatus
from policies.models import EligibilityOverride, Policy, PolicySuspension, PolicyTransition
from premiums.models import PremiumAdjustment
from tests.conftest import shared_data
from tests.documents.samples import sample_renderer
from tests.test_authorization import build_world

# Decided from the models: the contract (policy, overrides, suspensions), its limits and
# their decisions, premiums and payments, notices, claims and indemnities, bank
# agreements and their events, and the documents. Not records, so deletable: buyers'
# register data, users and organisations, deadlines and their reminders (scheduling,
# re-made by the sweep), notifications and the outbox, auto-decision settings,
# bank readers (access) and the stored buyer-exposure totals (derived).
KEPT = [
    "policies.Policy", "policies.EligibilityOverride", "policies.PolicySuspension",
    "limits.CreditLimit", "limits.LimitApplication", "limits.LimitDecision",
    "limits.LimitReview", "limits.PendingOrdersCover",
    "premiums.Declaration", "premiums.DeclarationUpload", "premiums.DebitNote",
    "premiums.DebitNoteLine", "premiums.Payment", "premiums.PremiumAdjustment",
    "claims.OverdueNotice", "claims.InvoiceExtension", "claims.RepaymentPlan",
    "claims.PlanInstalment", "claims.Claim", "claims.ClaimDocument", "claims.DocumentRequest",
    "claims.Recovery", "claims.Worksheet", "claims.WorksheetLine", "claims.ClaimDecision",
    "claims.PolicyLiability", "claims.IndemnityPayment",
    "banks.AssignmentAgreement", "banks.BankConsent", "banks.ReceivableReport",
    "banks.BankEvent",
    "documents.Document",
]  # fmt: skip
# Rows a draft is made of: kept once their parent is no longer a draft.
KEPT_ONCE_FILED = {NoticeInvoice: "notice", AgreementBuyer: "agreement"}

pytestmark = pytest.mark.django_db


def _build():
    """The matrix's world, and one of each record it lacks (made directly: only their
    existence matters here, their services are tested in their apps)."""
    built = build_world()
    today = timezone.localdate()
    user = User.objects.get(pk=built["personas"]["underwriter"])
    policy = Policy.objects.get(pk=built["world"]["live_a"])
    claim = Claim.objects.first()
    EligibilityOverride.objects.create(
        policy=policy, code=EligibilityCode.TOO_YOUNG, reason="Parent guarantee", overridden_by=user
    )
    PolicySuspension.objects.create(
        policy=policy,
        started_on=today,
        started_by=PolicyTransition.objects.create(
            policy=policy,
            action=PolicyAction.SUSPEND,
            from_status=PolicyStatus.IN_FORCE,
            to_status=PolicyStatus.SUSPENDED,
            actor=user,
        ),  # fmt: skip
    )
    DocumentRequest.objects.create(
        claim=claim, kinds=[DocumentKind.choices[0][0]], note="-", requested_on=today,
        requested_by=user,
    )  # fmt: skip
    invoice = NoticeInvoice.objects.exclude(notice__status="draft").first()
    InvoiceExtension.objects.create(
        invoice=invoice, from_due_date=today, to_due_date=today + timedelta(days=30), agreed_on=today, reason="-",
        recorded_by=user,
    )  # fmt: skip
    PremiumAdjustment.objects.create(
        policy=policy, version=1, computed_on=today, turnover=0, premium=0, minimum_premium=0,
        adjustment=0, difference=0,
    )  # fmt: skip
    Recovery.objects.create(
        claim=claim, received_on=today, amount=Decimal("1"), note="-", recorded_by=user
    )
    decision = LimitDecision.objects.first()
    PendingOrdersCover.objects.create(
        decision=decision, credit_limit=CreditLimit.objects.first(), requested_on=today,
        contract_reference="-", contract_signed_on=today, contract_amount=Decimal("1"),
        status=PendingOrdersStatus.REFUSED, refusal_reasons="-", requested_by=user,
    )  # fmt: skip
    return built


@pytest.fixture(scope="module", autouse=True)
def world(django_db_setup, django_db_blocker):
    with sample_renderer():
        yield from shared_data(django_db_blocker, _build)


def _row(model):
    if model in KEPT_ONCE_FILED:
        parent = KEPT_ONCE_FILED[model]
        row = model.objects.exclude(**{f"{parent}__status": "draft"}).first()
    else:
        row = model.objects.first()
    assert row is not None, f"the world has no {model.__name__}"
    return row


def _all_kept():
    return [apps.get_model(label) for label in KEPT] + list(KEPT_ONCE_FILED)


@pytest.mark.parametrize("model", _all_kept(), ids=lambda m: m.__name__)
def test_an_orm_delete_is_refused_and_deletes_nothing(model):
    row = _row(model)
    # ProtectedError (a related record refers to it) or the trigger: both DatabaseErrors.
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", _all_kept(), ids=lambda m: m.__name__)
def test_a_raw_sql_delete_is_refused_by_the_database(model):
    row = _row(model)
    statement = sql.SQL("DELETE FROM {} WHERE {} = %s").format(
        sql.Identifier(model._meta.db_table), sql.Identifier(model._meta.pk.column)
    )
    with (
        pytest.raises(DatabaseError, match="Cannot (update or )?delete rows"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.as_string(cursor.connection), [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", list(KEPT_ONCE_FILED), ids=lambda m: m.__name__)
def test_a_drafts_rows_stay_deletable(model):
    """The services replace a draft's invoices or listed buyers as it is edited."""
    parent = KEPT_ONCE_FILED[model]
    row = model.objects.filter(**{f"{parent}__status": "draft"}).first()
    assert row is not None, f"the world has no {model.__name__} of a draft"
    model.objects.filter(pk=row.pk).delete()
    assert not model.objects.filter(pk=row.pk).exists()


def test_the_admin_offers_no_delete_of_a_record():
    superuser = User.objects.create_superuser("records-admin", password="x")  # noqa: S106
    request = RequestFactory().get("/admin/")
    request.user = superuser
    kept = set(_all_kept())
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model in kept or issubclass(model, pghistory.models.Event | StatusChange):
            assert not model_admin.has_delete_permission(request), model
            assert "delete_selected" not in model_admin.get_actions(request), model
            checked += 1
    assert checked >= 10
    client = Client()
    client.force_login(superuser)
    for label in ("policies.Policy", "policies.EligibilityOverride", "premiums.Payment"):
        model = apps.get_model(label)
        meta = model._meta
        row = model.objects.first()
        url = f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/delete/"
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"post": "yes"}).status_code == 403, url
        assert model.objects.filter(pk=row.pk).exists()
