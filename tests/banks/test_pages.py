"""The agreement pages through HTTP (SPEC 2, 8, 11): the list with its filters and
exports, preparing and editing a draft, each move of the lifecycle in its dialog, the
downloads, the insured's receivables report and the policy page's section.

The business day is 2026-09-15. Agreements are written through the services or the
pages, as users do (tests/banks/conftest.py); every page is read in English."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.choices import Role
from banks import services
from banks.models import (
    AgreementBuyer,
    AgreementStatusChange,
    AssignmentAgreement,
    BankConsent,
    BankEvent,
    ReceivableReport,
)
from tests.banks.conftest import activate, consent, prepare
from tests.claims.conftest import PDF, grant_limit
from tests.factories import BuyerFactory, PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 9, 15)
ACCOUNT = {
    "account_name": "苏州精工机械有限公司", "account_number": "6222 0212 0000 1234",
    "account_bank": "中国工商银行苏州分行",
}  # fmt: skip


def client_for(user) -> Client:
    """Logged in as `user`, in English: a logged-in user's own language decides."""
    if user.language != "en":
        user.language = "en"
        user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(agreement, action=""):
    return f"/banks/agreements/{agreement.pk}/{action + '/' if action else ''}"


def field_errors(response, name) -> list[str]:
    """The errors shown on field `name` of the form the page came back with."""
    context = response.context
    form = context["dialog"]["form"] if context.get("dialog") else context["form"]
    return [str(e) for e in form.errors.get(name, [])]


def signed_pdf(name="签署件.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def consent_post(**overrides) -> dict:
    data = {"given_by": "王行长", "given_on": "2026-09-10", "reference": "XY-2026-018"}
    data.update(overrides)
    return data


@pytest.fixture
def underwriter(personas):
    return client_for(personas["underwriter"])


@pytest.fixture
def active(personas, policy, bank_org, buyers):
    """Insured A's agreement with the bank persona's bank, in force on the first buyer."""
    return activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_each_party_its_own_agreements(
    personas, policy, bank_org, bank_y, bank_y_user, buyers, active
):
    draft = prepare(personas, policy, bank_y, scope="all")
    other = prepare(personas, PolicyFactory(insured=personas["insured_b"].organisation,
                                            status="in_force"), bank_y, scope="all")  # fmt: skip

    def listed(user, query=""):
        response = client_for(user).get(f"/banks/agreements/{query}")
        assert response.status_code == 200
        return {row[0].reference for row in response.context["rows"]}

    assert listed(personas["underwriter"]) == {active.reference, draft.reference, other.reference}
    assert listed(personas["claims_handler"]) == {
        active.reference, draft.reference, other.reference
    }  # fmt: skip
    assert listed(personas["insured_a"]) == {active.reference, draft.reference}
    assert listed(personas["insured_a_clerk"]) == {active.reference, draft.reference}
    assert listed(personas["insured_b"]) == {other.reference}
    # A bank sees its own agreements once in force, not another bank's, not a draft.
    assert listed(personas["bank"]) == {active.reference}
    assert listed(bank_y_user) == set()
    # Filters, each on top of the user's scope.
    staff = personas["underwriter"]
    assert listed(staff, "?status=draft") == {draft.reference, other.reference}
    assert listed(staff, f"?bank={bank_org.pk}") == {active.reference}
    assert listed(staff, f"?policy={policy.pk}") == {active.reference, draft.reference}
    assert listed(staff, f"?insured={policy.insured_id}") == {active.reference, draft.reference}
    assert listed(staff, "?q=乙银行") == {draft.reference, other.reference}
    # Another insured's policy is no choice of insured B's: refused on the filter.
    response = client_for(personas["insured_b"]).get(f"/banks/agreements/?policy={policy.pk}")
    assert response.context["filterset"].form.errors["policy"]
    assert {row[0].reference for row in response.context["rows"]} == {other.reference}
    # Sorted by a column, either way.
    response = client_for(staff).get("/banks/agreements/?sort=-reference")
    references = [row[0].reference for row in response.context["rows"]]
    assert references == sorted(references, reverse=True)


def test_the_list_filters_name_only_what_the_user_may_see(personas, policy, bank_y, active):
    prepare(personas, PolicyFactory(insured=personas["insured_b"].organisation,
                                    status="in_force"), bank_y, scope="all")  # fmt: skip
    form = client_for(personas["insured_a"]).get("/banks/agreements/").context["filterset"].form
    assert "insured" not in form.fields  # its own, the only one
    assert {p.pk for p in form.fields["policy"].queryset} == {policy.pk}
    assert {b.name for b in form.fields["bank"].queryset} == {active.bank.name}
    bank_form = client_for(personas["bank"]).get("/banks/agreements/").context["filterset"].form
    assert "bank" not in bank_form.fields


def test_the_list_exports_what_it_shows(personas, policy, bank_y, active):
    prepare(personas, policy, bank_y, scope="all")
    response = client_for(personas["insured_a"]).get("/banks/agreements/?export=csv&status=active")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Agreement" and len(rows) == 2
    assert rows[1][0] == active.reference and rows[1][3] == active.bank.name
    assert rows[1][6] == "Active" and rows[1][9] == active.activated_on.isoformat()
    response = client_for(personas["bank"]).get("/banks/agreements/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_navigation_has_the_list_for_underwriters_and_insured_users(personas):
    """Among the underwriters' entries (claims staff reach an agreement from its policy:
    the staff bar is full at 1366 pixels)."""
    for name in ("underwriter", "senior_underwriter", "admin", "insured_a", "insured_a_clerk"):
        nav = client_for(personas[name]).get("/").context["nav_items"]
        assert "/banks/agreements/" in [item["url"] for item in nav], name
    nav = client_for(personas["claims_handler"]).get("/").context["nav_items"]
    assert "/banks/agreements/" not in [item["url"] for item in nav]


# --- preparing and editing the draft --------------------------------------------------------


def test_an_underwriter_prepares_an_agreement_from_the_policy_page(
    personas, policy, bank_org, buyers, underwriter
):
    page = underwriter.get(f"/policies/{policy.pk}/")
    assert page.context["may_prepare_agreement"]
    assert f"/banks/agreements/new/?policy={policy.pk}" in page.content.decode()
    form_page = underwriter.get(f"/banks/agreements/new/?policy={policy.pk}")
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert {b.pk for b in form.fields["buyers"].queryset} == {b.pk for b in buyers}
    assert form.initial["policy"] == policy.pk and form.initial["ends_on"] == policy.period_end
    response = underwriter.post(
        f"/banks/agreements/new/?policy={policy.pk}",
        {"policy": policy.pk, "bank": bank_org.pk, "scope": "listed",
         "buyers": [buyers[1].pk], "starts_on": "2026-09-15", "ends_on": "2026-12-31",
         **ACCOUNT},
    )  # fmt: skip
    agreement = AssignmentAgreement.objects.get()
    assert response.status_code == 302 and response["Location"] == url(agreement)
    assert agreement.status == "draft" and agreement.scope == "listed"
    assert agreement.prepared_by == personas["underwriter"]
    assert list(agreement.covered_buyers.values_list("buyer", flat=True)) == [buyers[1].pk]
    page = underwriter.get(url(agreement))
    assert [a for a in page.context["actions"]] == ["edit", "sign", "withdraw"]
    # The policy page lists it.
    section = underwriter.get(f"/policies/{policy.pk}/")
    assert [a.reference for a in section.context["assignment_agreements"]] == [agreement.reference]
    assert 'data-testid="policy-agreement"' in section.content.decode()


def test_bad_terms_are_named_on_their_fields_and_nothing_is_written(
    personas, policy, bank_org, buyers, underwriter
):
    base = {"policy": policy.pk, "bank": bank_org.pk, "starts_on": "2026-09-15",
            "ends_on": "2026-12-31", **ACCOUNT}  # fmt: skip
    new = f"/banks/agreements/new/?policy={policy.pk}"

    response = underwriter.post(new, {**base, "scope": "region"})
    assert field_errors(response, "region") == ["Choose the region."]
    response = underwriter.post(new, {**base, "scope": "listed"})
    assert field_errors(response, "buyers") == ["List at least one buyer."]
    response = underwriter.post(new, {**base, "scope": "all", "ends_on": "2026-09-01"})
    assert field_errors(response, "ends_on") == ["The end date must be after the start date."]
    response = underwriter.post(new, {**base, "scope": "all", "account_number": ""})
    assert field_errors(response, "account_number") == ["This field is required."]
    # A buyer with no limit under the policy is not among the choices.
    stranger = BuyerFactory()
    response = underwriter.post(new, {**base, "scope": "listed", "buyers": [stranger.pk]})
    assert field_errors(response, "buyers")
    # A bank is chosen among banks only.
    response = underwriter.post(new, {**base, "scope": "all", "bank": policy.insured_id})
    assert field_errors(response, "bank")
    assert not AssignmentAgreement.objects.exists()


def test_an_ended_policy_takes_no_agreement(personas, bank_org, underwriter, insured_a):
    ended = PolicyFactory(insured=insured_a, status="expired")
    page = underwriter.get(f"/policies/{ended.pk}/")
    assert "may_prepare_agreement" not in page.context  # no section without agreements
    form = underwriter.get(f"/banks/agreements/new/?policy={ended.pk}").context["form"]
    assert ended not in form.fields["policy"].queryset and "policy" not in form.initial


def test_only_underwriters_prepare_and_edit(personas, policy, bank_org, buyers):
    draft = prepare(personas, policy, bank_org, scope="all")
    for name in ("claims_handler", "claims_manager", "insured_a", "bank"):
        client = client_for(personas[name])
        assert client.get(f"/banks/agreements/new/?policy={policy.pk}").status_code == 404
        assert client.get(url(draft, "edit")).status_code == 404
    for name in ("underwriter", "senior_underwriter", "admin"):
        assert client_for(personas[name]).get(url(draft, "edit")).status_code == 200
    # The claims handler reads the agreement, and has no button on it.
    page = client_for(personas["claims_handler"]).get(url(draft))
    assert page.status_code == 200 and page.context["actions"] == []
    section = client_for(personas["claims_handler"]).get(f"/policies/{policy.pk}/")
    assert section.context["may_prepare_agreement"] is False
    assert 'data-testid="prepare-agreement"' not in section.content.decode()


def test_the_draft_is_edited_until_it_is_signed(personas, policy, bank_org, buyers, underwriter):
    draft = prepare(personas, policy, bank_org, buyers=buyers[:1])
    form = underwriter.get(url(draft, "edit")).context["form"]
    assert "policy" not in form.fields and "bank" not in form.fields
    assert form.initial["buyers"] == [buyers[0].pk] and form.initial["scope"] == "listed"
    response = underwriter.post(
        url(draft, "edit"),
        {"scope": "listed", "buyers": [buyers[0].pk, buyers[1].pk], "starts_on": "2026-09-15",
         "ends_on": "2027-03-31", **ACCOUNT, "account_bank": "中国工商银行苏州工业园区支行"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert draft.ends_on == date(2027, 3, 31) and draft.account_bank.endswith("园区支行")
    assert draft.covered_buyers.count() == 2
    response = underwriter.post(url(draft, "edit"), {"scope": "region", **ACCOUNT,
                                                     "starts_on": "2026-09-15",
                                                     "ends_on": "2027-03-31"})  # fmt: skip
    assert field_errors(response, "region") == ["Choose the region."]
    services.agreement_sign(
        actor=personas["underwriter"], agreement_id=draft.pk, signed_on=TODAY,
        filename="s.pdf", content=PDF,
    )  # fmt: skip
    response = underwriter.get(url(draft, "edit"), follow=True)
    assert response.redirect_chain == [(url(draft), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "'Edit' is not possible while the status is Signed."
    ]


# --- the lifecycle on the agreement page ------------------------------------------------------


def test_an_agreement_is_signed_activated_amended_and_terminated_through_its_page(
    personas, policy, bank_org, buyers, underwriter
):
    agreement = prepare(personas, policy, bank_org, buyers=buyers[:1])
    dialog = underwriter.get(f"{url(agreement)}?confirm=sign").context["dialog"]
    assert dialog["action"] == "sign" and dialog["multipart"]

    response = underwriter.post(
        url(agreement, "sign"), {"signed_on": "2026-09-14", "file": signed_pdf()}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.signed_on == date(2026, 9, 14)
    download = underwriter.get(url(agreement, "signed"))
    assert download.content == PDF and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert underwriter.get(url(agreement)).context["actions"] == ["activate", "withdraw"]

    # Activation is stated before it is taken: who is paid, for which buyers.
    page = underwriter.get(f"{url(agreement)}?confirm=activate")
    effects = " ".join(page.context["dialog"]["effects"])
    assert bank_org.name in effects and "the 1 listed buyer" in effects
    assert agreement.account_display in effects
    response = underwriter.post(url(agreement, "activate"), {"activated_on": "2026-09-15"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "active" and agreement.activated_on == TODAY
    assert BankEvent.objects.filter(agreement=agreement, kind="agreement_active").exists()
    assert AgreementBuyer.objects.get(agreement=agreement).active

    # Amended with the bank's consent and its letter.
    amend = underwriter.get(f"{url(agreement)}?confirm=amend").context["dialog"]["form"]
    assert amend.initial["account_number"] == agreement.account_number
    response = underwriter.post(
        url(agreement, "amend"),
        {"ends_on": "2027-06-30", **ACCOUNT, **consent_post(reference="XY-2026-031"),
         "letter": SimpleUploadedFile("同意函.pdf", PDF + b"letter")},
    )  # fmt: skip
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2027, 6, 30) and agreement.status == "active"
    amendment = BankConsent.objects.get(action="amend")
    assert amendment.changes == {"ends_on": ["2026-12-31", "2027-06-30"]}
    page = underwriter.get(url(agreement))
    assert [c.reference for c in page.context["consents"]] == ["XY-2026-031"]
    assert f"/banks/consents/{amendment.pk}/letter/" in page.content.decode()
    letter = underwriter.get(f"/banks/consents/{amendment.pk}/letter/")
    assert letter.content == PDF + b"letter"

    # Terminated: stated, then done with the bank's consent.
    page = underwriter.get(f"{url(agreement)}?confirm=terminate")
    assert "its 1 covered buyer" in " ".join(page.context["dialog"]["effects"])
    response = underwriter.post(
        url(agreement, "terminate"),
        {"terminated_on": "2026-09-15", "reason": "贷款已结清", **consent_post()},
    )  # fmt: skip
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "terminated" and agreement.terminated_on == TODAY
    assert not AgreementBuyer.objects.filter(agreement=agreement, active=True).exists()
    change = AgreementStatusChange.objects.get(agreement=agreement, action="terminate")
    assert change.consent.reference == "XY-2026-018" and change.reason == "贷款已结清"
    assert underwriter.get(url(agreement)).context["actions"] == []


def test_termination_needs_the_banks_consent_and_writes_nothing_without_it(
    personas, active, underwriter
):
    response = underwriter.post(
        url(active, "terminate"),
        {"terminated_on": "2026-09-15", **consent_post(given_by="")},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["dialog"]["action"] == "terminate"  # the dialog stays open
    assert field_errors(response, "given_by") == ["This field is required."]
    assert 'data-field="given_by"' in response.content.decode()
    active.refresh_from_db()
    assert active.status == "active"
    assert not BankConsent.objects.exists()
    assert not AgreementStatusChange.objects.filter(action="terminate").exists()
    # A consent dated in the future is the service's refusal, on its field.
    response = underwriter.post(
        url(active, "terminate"),
        {"terminated_on": "2026-09-15", **consent_post(given_on="2026-09-30")},
    )  # fmt: skip
    assert field_errors(response, "given_on") == ["This date cannot be in the future."]
    assert not BankConsent.objects.exists()


def test_amendment_errors_are_named_on_their_fields(personas, active, underwriter):
    terms = {"ends_on": active.ends_on.isoformat(), "account_name": active.account_name,
             "account_number": active.account_number, "account_bank": active.account_bank}  # fmt: skip
    response = underwriter.post(url(active, "amend"), {**terms, **consent_post()})
    assert field_errors(response, "ends_on") == [
        "Change at least one of the end date or the bank account."
    ]
    response = underwriter.post(
        url(active, "amend"), {**terms, "ends_on": "2026-09-01", **consent_post()}
    )
    assert field_errors(response, "ends_on") == ["The new end date must be in the future."]
    response = underwriter.post(
        url(active, "amend"),
        {**terms, "ends_on": "2027-01-31", **consent_post(), "letter": SimpleUploadedFile(
            "letter.txt", b"just text")},
    )  # fmt: skip
    assert field_errors(response, "letter") == ["Upload a PDF, JPEG, PNG, XLSX or DOCX file."]
    assert not BankConsent.objects.exists()
    active.refresh_from_db()
    assert active.ends_on == date(2026, 12, 31)


def test_a_signed_copy_must_be_a_pdf_or_an_image(personas, policy, bank_org, underwriter):
    draft = prepare(personas, policy, bank_org, scope="all")
    response = underwriter.post(url(draft, "sign"), {"signed_on": "2026-09-14"})
    assert field_errors(response, "file") == ["This field is required."]
    docx = b"PK\x03\x04" + b"\x00" * 30  # not even a valid zip: unknown type
    response = underwriter.post(
        url(draft, "sign"), {"signed_on": "2026-09-14", "file": signed_pdf("s.pdf", docx)}
    )
    assert field_errors(response, "file")
    response = underwriter.post(
        url(draft, "sign"), {"signed_on": "2026-09-20", "file": signed_pdf()}
    )
    assert field_errors(response, "signed_on") == ["This date cannot be in the future."]
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.signed_sha256


def test_activation_overlapping_an_agreement_in_force_is_refused_in_its_dialog(
    personas, policy, bank_y, active, underwriter
):
    second = prepare(personas, policy, bank_y, scope="all")
    services.agreement_sign(
        actor=personas["underwriter"], agreement_id=second.pk, signed_on=TODAY,
        filename="s.pdf", content=PDF,
    )  # fmt: skip
    response = underwriter.post(url(second, "activate"), {"activated_on": "2026-09-15"})
    assert response.status_code == 200
    errors = response.context["dialog"]["form"].non_field_errors()
    assert errors == [
        f"Agreement {active.reference} in force already covers the buyers of this policy."
    ]
    assert 'data-testid="dialog-errors"' in response.content.decode()
    second.refresh_from_db()
    assert second.status == "signed"


def test_withdrawing_a_draft_needs_a_reason(personas, policy, bank_org, underwriter):
    draft = prepare(personas, policy, bank_org, scope="all")
    response = underwriter.post(url(draft, "withdraw"), {"reason": ""})
    assert field_errors(response, "reason") == ["This field is required."]
    response = underwriter.post(url(draft, "withdraw"), {"reason": "银行未批贷"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    assert draft.changes.get(action="withdraw").reason == "银行未批贷"


def test_a_move_the_status_does_not_allow_is_refused_as_a_message(
    personas, policy, bank_org, underwriter
):
    draft = prepare(personas, policy, bank_org, scope="all")
    page = underwriter.get(f"{url(draft)}?confirm=activate")
    assert page.context["dialog"] is None  # no dialog for a move not allowed
    response = underwriter.post(url(draft, "activate"), {"activated_on": "2026-09-15"}, follow=True)
    assert response.redirect_chain == [(url(draft), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "'Activate' is not possible while the status is Draft."
    ]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_only_underwriters_move_the_agreement(personas, policy, bank_org, bank_y_user, active):
    for name in ("claims_handler", "claims_manager", "insured_a", "insured_a_clerk", "bank"):
        client = client_for(personas[name])
        assert client.post(url(active, "terminate"), consent_post()).status_code == 404, name
        page = client.get(f"{url(active)}?confirm=terminate")
        assert page.status_code == 200 and page.context["dialog"] is None, name
        assert page.context["dialog_actions"] == [], name
    # Out of scope: insured B and the other bank do not find the agreement at all.
    for user in (personas["insured_b"], bank_y_user):
        client = client_for(user)
        assert client.get(url(active)).status_code == 404
        assert client.post(url(active, "terminate"), consent_post()).status_code == 404
    active.refresh_from_db()
    assert active.status == "active"


def test_a_bank_reads_its_agreement_in_force_and_downloads_the_signed_copy(
    personas, policy, bank_org, bank_y_user, buyers, active
):
    bank = client_for(personas["bank"])
    page = bank.get(url(active))
    assert page.status_code == 200 and page.context["actions"] == []
    assert [p.buyer for p in page.context["positions"]] == [buyers[0]]
    assert page.context["receivable_rows"] == []
    download = bank.get(url(active, "signed"))
    assert download.status_code == 200 and download.content == PDF
    assert client_for(bank_y_user).get(url(active, "signed")).status_code == 404
    assert client_for(personas["insured_b"]).get(url(active, "signed")).status_code == 404
    assert client_for(personas["insured_a"]).get(url(active, "signed")).content == PDF
    # Its draft with the same bank, and a signed one, are not the bank's to read yet.
    signed = prepare(personas, policy, bank_org, buyers=buyers[1:])
    services.agreement_sign(
        actor=personas["underwriter"], agreement_id=signed.pk, signed_on=TODAY,
        filename="s.pdf", content=PDF,
    )  # fmt: skip
    assert bank.get(url(signed)).status_code == 404
    assert bank.get(url(signed, "signed")).status_code == 404
    # No copy yet: nothing to download, for anyone.
    draft = prepare(personas, policy, bank_org, scope="all")
    assert client_for(personas["underwriter"]).get(url(draft, "signed")).status_code == 404


def test_consent_letters_are_for_staff_the_insured_and_the_named_bank(
    personas, bank_y_user, active
):
    services.agreement_amend(
        actor=personas["underwriter"], agreement_id=active.pk, ends_on=date(2027, 3, 31),
        consent=consent(filename="同意函.pdf", content=PDF), today=TODAY,
    )  # fmt: skip
    letter = BankConsent.objects.get()
    path = f"/banks/consents/{letter.pk}/letter/"
    for name in ("claims_handler", "insured_a", "insured_a_clerk", "bank"):
        response = client_for(personas[name]).get(path)
        assert response.status_code == 200 and response.content == PDF, name
    for user in (personas["insured_b"], bank_y_user):
        assert client_for(user).get(path).status_code == 404
    assert Client().get(path).status_code == 302  # to the login page
    without = services.agreement_amend(
        actor=personas["underwriter"], agreement_id=active.pk, ends_on=date(2027, 4, 30),
        consent=consent(reference="XY-2"), today=TODAY,
    )  # fmt: skip
    no_letter = without.consents.get(reference="XY-2")
    assert (
        client_for(personas["underwriter"])
        .get(f"/banks/consents/{no_letter.pk}/letter/")
        .status_code
        == 404
    )


# --- the insured's receivables ------------------------------------------------------------------


def test_the_insured_reports_receivables_and_sees_the_financing_capacity(
    personas, policy, buyers, active
):
    clerk = client_for(personas["insured_a_clerk"])
    page = clerk.get(url(active))
    rows = page.context["receivable_rows"]
    assert [position.buyer for position, _form in rows] == [buyers[0]]
    assert page.context["positions"][0].capacity is None  # nothing reported yet
    response = clerk.post(
        url(active, "receivables"),
        {"buyer": buyers[0].pk, "amount": "1000000", "as_of": "2026-09-14"},
    )  # fmt: skip
    assert response.status_code == 302
    report = ReceivableReport.objects.get()
    assert report.amount == Decimal("1000000") and report.reported_by == personas["insured_a_clerk"]
    # SPEC 8: min(1,000,000 × 90%, 1,200,000 × 90%, remaining liability) = 900,000.
    for user in (personas["insured_a_clerk"], personas["underwriter"], personas["bank"]):
        position = client_for(user).get(url(active)).context["positions"][0]
        assert position.receivables == Decimal("1000000")
        assert position.capacity == Decimal("900000.00")
    assert "900,000.00" in clerk.get(url(active)).content.decode()


def test_receivables_errors_are_named_on_their_fields(personas, buyers, active):
    approver = client_for(personas["insured_a"])
    response = approver.post(
        url(active, "receivables"), {"buyer": buyers[0].pk, "amount": "-5", "as_of": "2026-09-14"}
    )
    assert response.status_code == 200
    (form,) = [form for _position, form in response.context["receivable_rows"] if form.is_bound]
    assert form.errors["amount"]
    response = approver.post(
        url(active, "receivables"),
        {"buyer": buyers[0].pk, "amount": "100", "as_of": "2026-09-30"},
    )  # fmt: skip
    (form,) = [form for _position, form in response.context["receivable_rows"] if form.is_bound]
    assert form.errors["as_of"] == ["This date cannot be in the future."]
    assert f'id="id_r{buyers[0].pk}_as_of"' in response.content.decode()
    # A buyer of the policy this agreement does not cover.
    response = approver.post(
        url(active, "receivables"), {"buyer": buyers[1].pk, "amount": "100", "as_of": "2026-09-14"}
    )
    assert response.status_code == 404
    assert not ReceivableReport.objects.exists()


def test_only_the_insureds_preparers_report_receivables(personas, insured_a, buyers, active):
    viewer = UserFactory(username="viewer_a", organisation=insured_a, role=Role.VIEWER)
    body = {"buyer": buyers[0].pk, "amount": "100", "as_of": "2026-09-14"}
    for user in (viewer, personas["underwriter"], personas["bank"], personas["insured_b"]):
        client = client_for(user)
        assert client.post(url(active, "receivables"), body).status_code == 404
    assert client_for(viewer).get(url(active)).context["receivable_rows"] == []
    assert not ReceivableReport.objects.exists()


def test_receivables_are_reported_on_an_agreement_in_force_only(personas, policy, bank_org, buyers):
    draft = prepare(personas, policy, bank_org, buyers=buyers[:1])
    clerk = client_for(personas["insured_a_clerk"])
    assert clerk.get(url(draft)).context["receivable_rows"] == []
    body = {"buyer": buyers[0].pk, "amount": "100", "as_of": "2026-09-14"}
    assert clerk.post(url(draft, "receivables"), body).status_code == 404


# --- the policy page --------------------------------------------------------------------------


def test_the_policy_page_lists_each_partys_agreements(
    personas, policy, bank_org, bank_y, buyers, active
):
    prepare(personas, policy, bank_y, buyers=buyers[1:])

    def section(user):
        return client_for(user).get(f"/policies/{policy.pk}/").context

    staff = section(personas["underwriter"])
    assert len(staff["assignment_agreements"]) == 2 and staff["may_prepare_agreement"]
    insured = section(personas["insured_a"])
    assert len(insured["assignment_agreements"]) == 2 and not insured["may_prepare_agreement"]
    bank = section(personas["bank"])
    assert [a.reference for a in bank["assignment_agreements"]] == [active.reference]
    assert not bank["may_prepare_agreement"]


def test_a_policy_without_agreements_shows_the_section_to_underwriters_only(
    personas, policy, buyers
):
    staff = client_for(personas["underwriter"]).get(f"/policies/{policy.pk}/")
    assert staff.context["assignment_agreements"] == []
    assert "No assignment agreement on this policy." in staff.content.decode()
    insured = client_for(personas["insured_a"]).get(f"/policies/{policy.pk}/")
    assert "assignment_agreements" not in insured.context
    assert 'data-testid="policy-agreements"' not in insured.content.decode()


def test_the_agreement_page_takes_the_same_queries_however_many_buyers(
    personas, policy, bank_org, capacities, django_assert_max_num_queries
):
    for _ in range(6):
        grant_limit(personas, policy, BuyerFactory(risk_grade=4), "300000")
    agreement = activate(personas, prepare(personas, policy, bank_org, scope="all"))
    clerk = client_for(personas["insured_a_clerk"])
    clerk.get(url(agreement))
    with django_assert_max_num_queries(40) as captured:
        page = clerk.get(url(agreement))
    assert len(page.context["positions"]) == 6
    few = len(captured)
    for _ in range(6):
        grant_limit(personas, policy, BuyerFactory(risk_grade=4), "300000")
    with django_assert_max_num_queries(few) as captured:
        page = clerk.get(url(agreement))
    assert len(page.context["positions"]) == 12
