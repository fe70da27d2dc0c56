"""The agreement's lifecycle through core.transitions, the bank's written consent to a
change or the termination, and the policy that cannot be cancelled under an agreement
in force (SPEC 8)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from banks import services
from banks.models import AgreementStatusChange, AssignmentAgreement, BankConsent
from policies.models import PolicyTransition
from policies.services import policy_transition
from tests.banks.conftest import TODAY, activate, consent, prepare, terminate
from tests.claims.conftest import PDF

pytestmark = pytest.mark.django_db


def _moves(agreement) -> list[tuple[str, str, str]]:
    return list(
        AgreementStatusChange.objects.filter(agreement=agreement)
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    )


def _sign(personas, agreement):
    return services.agreement_sign(
        actor=personas["underwriter"], agreement_id=agreement.pk, signed_on=TODAY,
        filename="signed.pdf", content=PDF, today=TODAY,
    )  # fmt: skip


def test_every_move_from_draft_to_terminated_is_recorded(personas, policy, bank_org, buyers):
    underwriter = personas["underwriter"]
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    services.agreement_update(
        actor=underwriter, agreement_id=agreement.pk, buyer_ids=[b.pk for b in buyers],
        account_number="6222 0212 0000 9999", today=TODAY,
    )  # fmt: skip
    _sign(personas, agreement)
    services.agreement_activate(actor=underwriter, agreement_id=agreement.pk, today=TODAY)
    services.agreement_amend(
        actor=underwriter, agreement_id=agreement.pk, consent=consent(reference="XY-1"),
        ends_on=date(2027, 3, 31), today=TODAY,
    )  # fmt: skip
    terminate(personas, agreement, reference="XY-2")
    agreement.refresh_from_db()
    assert _moves(agreement) == [
        ("prepare", "", "draft"),
        ("edit", "draft", "draft"),
        ("sign", "draft", "signed"),
        ("activate", "signed", "active"),
        ("amend", "active", "active"),
        ("terminate", "active", "terminated"),
    ]
    assert set(agreement.changes.values_list("actor", flat=True)) == {underwriter.pk}
    assert (agreement.status, agreement.ends_on, agreement.account_number) == (
        "terminated", date(2027, 3, 31), "6222 0212 0000 9999",
    )  # fmt: skip
    assert (agreement.signed_on, agreement.activated_on, agreement.terminated_on) == (
        TODAY, TODAY, TODAY,
    )  # fmt: skip
    assert agreement.covered_buyers.count() == 2
    assert not agreement.covered_buyers.filter(active=True).exists()


@pytest.mark.parametrize("signed", [False, True], ids=["draft", "signed"])
def test_an_agreement_not_in_force_may_be_withdrawn_with_a_reason(
    personas, policy, bank_org, buyers, signed
):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    if signed:
        _sign(personas, agreement)
    with pytest.raises(ValidationError) as refused:
        services.agreement_withdraw(
            actor=personas["underwriter"], agreement_id=agreement.pk, reason=" ", today=TODAY
        )
    assert "reason" in refused.value.message_dict
    services.agreement_withdraw(
        actor=personas["underwriter"], agreement_id=agreement.pk, reason="融资未获批", today=TODAY
    )
    agreement.refresh_from_db()
    assert agreement.status == "withdrawn"
    assert _moves(agreement)[-1] == ("withdraw", "signed" if signed else "draft", "withdrawn")
    assert agreement.changes.last().reason == "融资未获批"


def _activate(personas, agreement):
    services.agreement_activate(
        actor=personas["underwriter"], agreement_id=agreement.pk, today=TODAY
    )


def _amend(personas, agreement):
    services.agreement_amend(
        actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(),
        ends_on=date(2027, 6, 30), today=TODAY,
    )  # fmt: skip


def _edit(personas, agreement):
    services.agreement_update(
        actor=personas["underwriter"], agreement_id=agreement.pk, account_name="别的户名",
        today=TODAY,
    )  # fmt: skip


def _withdraw(personas, agreement):
    services.agreement_withdraw(
        actor=personas["underwriter"], agreement_id=agreement.pk, reason="x", today=TODAY
    )


def _terminate(personas, agreement):
    terminate(personas, agreement)


MOVES = {"activate": _activate, "sign": _sign, "amend": _amend, "edit": _edit,
         "withdraw": _withdraw, "terminate": _terminate}  # fmt: skip


@pytest.mark.parametrize(
    "steps, refused",
    [
        ([], "activate"),  # a draft is not put in force unsigned
        ([], "amend"),  # nor amended as if it were in force
        ([], "terminate"),
        (["sign"], "sign"),  # signed twice
        (["sign"], "edit"),  # the signed text is what the parties signed
        (["sign"], "terminate"),  # a signed agreement not in force is withdrawn instead
        (["sign"], "amend"),
        (["sign", "activate"], "activate"),
        (["sign", "activate"], "withdraw"),  # irrevocable while in force
        (["sign", "activate"], "edit"),
        (["sign", "activate"], "sign"),
        (["sign", "activate", "terminate"], "activate"),
        (["sign", "activate", "terminate"], "amend"),
        (["sign", "activate", "terminate"], "terminate"),
        (["withdraw"], "sign"),
        (["withdraw"], "activate"),
    ],
)  # fmt: skip
def test_a_move_the_table_does_not_have_is_refused_on_action(
    personas, policy, bank_org, buyers, steps, refused
):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    for step in steps:
        MOVES[step](personas, agreement)
    before = AssignmentAgreement.objects.get(pk=agreement.pk)
    moves, consents = _moves(agreement), BankConsent.objects.count()
    with pytest.raises(ValidationError) as error:
        MOVES[refused](personas, AssignmentAgreement.objects.get(pk=agreement.pk))
    assert "action" in error.value.message_dict
    after = AssignmentAgreement.objects.get(pk=agreement.pk)
    assert (after.status, after.ends_on, after.account_name) == (
        before.status, before.ends_on, before.account_name,
    )  # fmt: skip
    assert _moves(agreement) == moves
    assert BankConsent.objects.count() == consents


def test_only_underwriting_staff_prepare_and_move_agreements(personas, policy, bank_org, buyers):
    for name in ("insured_a", "bank", "claims_handler"):
        with pytest.raises(PermissionError):
            services.agreement_prepare(
                actor=personas[name], policy_id=policy.pk, bank_id=bank_org.pk, scope="all",
                starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), account_name="x",
                account_number="1", account_bank="y", today=TODAY,
            )  # fmt: skip
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    with pytest.raises(PermissionError):
        services.agreement_sign(
            actor=personas["bank"], agreement_id=agreement.pk, signed_on=TODAY,
            filename="signed.pdf", content=PDF, today=TODAY,
        )  # fmt: skip
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "draft"


def test_the_status_guard_refuses_a_raw_update(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    with (
        pytest.raises(IntegrityError, match="outside the transition mechanism"),
        transaction.atomic(),
    ):
        AssignmentAgreement.objects.filter(pk=agreement.pk).update(status="terminated")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE banks_assignmentagreement SET status = 'draft' WHERE id = %s", [agreement.pk]
        )
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "active"


def test_signing_needs_a_pdf_or_image_and_a_date_not_in_the_future(
    personas, policy, bank_org, buyers
):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    with pytest.raises(ValidationError) as refused:
        services.agreement_sign(
            actor=personas["underwriter"], agreement_id=agreement.pk, signed_on=TODAY,
            filename="signed.txt", content=b"just text", today=TODAY,
        )  # fmt: skip
    assert set(refused.value.message_dict) & {"file", "content"}
    with pytest.raises(ValidationError) as refused:
        services.agreement_sign(
            actor=personas["underwriter"], agreement_id=agreement.pk,
            signed_on=date(2026, 6, 2), filename="signed.pdf", content=PDF, today=TODAY,
        )  # fmt: skip
    assert "signed_on" in refused.value.message_dict
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "draft"


# --- the bank's written consent ----------------------------------------------------------


@pytest.mark.parametrize("missing", ["given_by", "given_on", "reference"])
@pytest.mark.parametrize("move", ["amend", "terminate"])
def test_no_change_or_termination_without_the_banks_consent(
    personas, policy, bank_org, buyers, missing, move
):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    moves = _moves(agreement)
    partial = consent(**{missing: "  " if missing != "given_on" else None})
    with pytest.raises(ValidationError) as refused:
        if move == "amend":
            services.agreement_amend(
                actor=personas["underwriter"], agreement_id=agreement.pk, consent=partial,
                ends_on=date(2027, 6, 30), today=TODAY,
            )  # fmt: skip
        else:
            services.agreement_terminate(
                actor=personas["underwriter"], agreement_id=agreement.pk, consent=partial,
                today=TODAY,
            )  # fmt: skip
    assert missing in refused.value.message_dict
    agreement.refresh_from_db()
    assert (agreement.status, agreement.ends_on, agreement.terminated_on) == (
        "active", date(2026, 12, 31), None,
    )  # fmt: skip
    assert not BankConsent.objects.exists()
    assert _moves(agreement) == moves
    assert agreement.covered_buyers.filter(active=True).count() == 1


def test_a_consent_given_in_the_future_is_refused(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    with pytest.raises(ValidationError) as refused:
        services.agreement_terminate(
            actor=personas["underwriter"], agreement_id=agreement.pk,
            consent=consent(given_on=date(2026, 6, 2)), today=TODAY,
        )  # fmt: skip
    assert "given_on" in refused.value.message_dict
    assert not BankConsent.objects.exists()


def test_the_amendment_records_the_consent_and_what_changed(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    services.agreement_amend(
        actor=personas["underwriter"], agreement_id=agreement.pk,
        consent=consent(filename="consent.pdf", content=PDF),
        ends_on=date(2027, 6, 30), account_number="6222 0212 0000 5678", today=TODAY,
    )  # fmt: skip
    recorded = BankConsent.objects.get()
    assert (recorded.action, recorded.given_by, recorded.reference, recorded.given_on) == (
        "amend", "王行长", "XY-2026-018", TODAY,
    )  # fmt: skip
    assert recorded.changes == {
        "ends_on": ["2026-12-31", "2027-06-30"],
        "account_number": ["6222 0212 0000 1234", "6222 0212 0000 5678"],
    }
    assert (recorded.letter_filename, bytes(recorded.letter_content)) == ("consent.pdf", PDF)
    change = agreement.changes.get(action="amend")
    assert change.consent == recorded
    assert change.cause == recorded
    with pytest.raises(ValidationError) as refused:
        services.agreement_amend(
            actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(),
            ends_on=date(2027, 6, 30), today=TODAY,
        )  # fmt: skip
    assert "ends_on" in refused.value.message_dict  # nothing changes: nothing recorded
    assert BankConsent.objects.count() == 1


def test_the_termination_points_to_the_consent(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    terminate(personas, agreement, reference="XY-END")
    change = agreement.changes.get(action="terminate")
    assert change.consent == BankConsent.objects.get(action="terminate", reference="XY-END")


@pytest.mark.parametrize("action", ["amend", "terminate"])
def test_the_database_refuses_a_change_row_without_consent(
    personas, policy, bank_org, buyers, action
):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    with pytest.raises(IntegrityError, match="agreement_change_has_consent"), transaction.atomic():
        AgreementStatusChange.objects.create(
            agreement=agreement, action=action, from_status="active",
            to_status="terminated" if action == "terminate" else "active",
        )  # fmt: skip
    # Other moves need none.
    AgreementStatusChange.objects.create(
        agreement=agreement, action="expire", from_status="active", to_status="terminated"
    )


def test_a_termination_cannot_precede_the_agreements_start(personas, policy, bank_org, buyers):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    _sign(personas, agreement)
    services.agreement_activate(
        actor=personas["underwriter"], agreement_id=agreement.pk, activated_on=TODAY,
        today=TODAY,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.agreement_terminate(
            actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(),
            terminated_on=date(2026, 5, 1), today=TODAY,
        )  # fmt: skip
    assert "terminated_on" in refused.value.message_dict
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "active"
    assert not BankConsent.objects.exists()


# --- the policy under an agreement in force ------------------------------------------------


def test_the_policy_is_not_cancelled_while_an_agreement_is_in_force(
    personas, policy, bank_org, buyers
):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    transitions_before = PolicyTransition.objects.filter(policy=policy).count()
    with pytest.raises(ValidationError) as refused:
        policy_transition(
            actor=personas["underwriter"], policy_id=policy.pk, action_name="cancel",
            reason="被保险人申请退保",
        )  # fmt: skip
    assert "action" in refused.value.message_dict
    assert agreement.reference in refused.value.message_dict["action"][0]
    policy.refresh_from_db()
    assert policy.status == "in_force"
    assert PolicyTransition.objects.filter(policy=policy).count() == transitions_before
    assert buyers[0].credit_limits.filter(policy=policy, status="active").exists()

    terminate(personas, agreement)
    policy_transition(
        actor=personas["underwriter"], policy_id=policy.pk, action_name="cancel",
        reason="被保险人申请退保",
    )  # fmt: skip
    policy.refresh_from_db()
    assert policy.status == "cancelled"


def test_a_draft_or_signed_agreement_does_not_hold_the_policy(personas, policy, bank_org, buyers):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    _sign(personas, agreement)
    policy_transition(
        actor=personas["underwriter"], policy_id=policy.pk, action_name="cancel", reason="退保"
    )
    with pytest.raises(ValidationError) as refused:
        _activate(personas, agreement)
    assert "policy" in refused.value.message_dict
    assert AssignmentAgreement.objects.get(pk=agreement.pk).status == "signed"
