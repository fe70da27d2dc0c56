"""Texts the system writes are stored as a code and parameters and shown in the reader's
language (SPEC 11: Chinese and English UI); e-mails go out in the recipient's language."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from core.texts import render_text, system_text
from limits import texts
from notifications.models import Notification
from notifications.services import notify_users

pytestmark = pytest.mark.django_db

PARTLY = dict(
    subject_code=texts.DECISION_SUBJECT.code,
    body_code=texts.DECISION_BODY.code,
    params={
        "buyer": "深圳华星电子科技有限公司",
        "policy": "TCI2026000001/1",
        "outcome": texts.OUTCOME_PARTLY.code,
        "amount": "1000.00",
        "requested": "900000.00",
        "reason": "14",
    },
    url="/limits/1/",
)


def test_a_notification_is_rendered_in_the_language_of_whoever_reads_it(personas):
    notify_users(users=[personas["insured_a"]], **PARTLY)
    notification = Notification.objects.get()
    assert notification.subject_code == texts.DECISION_SUBJECT.code
    with translation.override("zh-hans"):
        assert notification.subject_text == (
            "深圳华星电子科技有限公司 限额审批结果：部分批准 1,000.00 / 申请 900,000.00"
        )
        assert notification.body_text == "保单 TCI2026000001/1 · 原因：交易量不足"
    with translation.override("en"):
        assert notification.subject_text == (
            "Limit decision on 深圳华星电子科技有限公司: "
            "Partly approved 1,000.00 / requested 900,000.00"
        )
        assert notification.body_text == "Policy TCI2026000001/1 · reason: Lack of turnover"
    # 1,000 granted of 900,000 asked is not good news: it is shown as a warning.
    assert notification.tone == "warning"


def test_the_email_is_written_in_the_recipients_language(
    personas, django_capture_on_commit_callbacks
):
    english = personas["insured_b"]
    english.language = "en"
    english.save()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        notify_users(users=[personas["insured_a"], english], **PARTLY)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[personas["insured_a"].email].endswith("部分批准 1,000.00 / 申请 900,000.00")
    assert subjects[english.email].endswith("Partly approved 1,000.00 / requested 900,000.00")


def test_a_row_from_before_codes_shows_its_text(personas):
    old = Notification.objects.create(
        recipient=personas["insured_a"], subject="限额审批结果：批准", body="旧的正文"
    )
    with translation.override("en"):
        assert (old.subject_text, old.body_text) == ("限额审批结果：批准", "旧的正文")
    assert old.tone == "secondary"


def test_an_unknown_code_or_a_missing_parameter_falls_back_to_the_stored_text():
    assert render_text("no.such.code", {}, fallback="原文") == "原文"
    entry = system_text("tests.needs_buyer", "Limit on %(buyer)s")
    assert render_text(entry.code, {}, fallback="原文") == "原文"


def test_cuts_and_cancellations_look_adverse():
    assert texts.OUTCOME_REDUCED.tone == "warning"
    assert texts.OUTCOME_CANCELLED.tone == "danger"
    assert texts.OUTCOME_REFUSED.tone == "danger"


@pytest.mark.parametrize(
    "response,request_type,amount,requested,code",
    [
        ("2", "2", Decimal("900000"), Decimal("900000"), texts.OUTCOME_APPROVED.code),
        # Recorded as approved but for less than asked: still a partial approval.
        ("2", "2", Decimal("1000"), Decimal("900000"), texts.OUTCOME_PARTLY.code),
        ("5", "2", Decimal("1000"), Decimal("900000"), texts.OUTCOME_PARTLY.code),
        ("4", "2", Decimal("900000"), Decimal("900000"), texts.OUTCOME_CONDITIONAL.code),
        ("3", "2", None, Decimal("900000"), texts.OUTCOME_REFUSED.code),
        ("9", "7", Decimal("400000"), None, texts.OUTCOME_REDUCED.code),
        ("8", "6", None, None, texts.OUTCOME_CANCELLED.code),
        ("2", "8", None, None, texts.OUTCOME_PROLONGED.code),
        ("2", "", Decimal("500000"), None, texts.OUTCOME_CONFIRMED.code),
    ],
)
def test_each_decision_has_an_outcome_text(response, request_type, amount, requested, code):
    assert (
        texts.outcome_code(
            response_code=response, request_type=request_type, amount=amount, requested=requested
        )
        == code
    )
