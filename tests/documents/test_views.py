"""Downloads, status, list, panel and corrections through pages and the API (SPEC 2, 9):
a document is a 404 for whoever may not see it or its subject."""

import hashlib

import pytest
from django.template import Context, Template
from django.test import Client

from documents.choices import DocumentStatus
from documents.forms import ReissueForm
from documents.models import Document
from documents.services import document_request
from tests.conftest import api_as
from tests.documents.samples import TINY_PDF, make_issued_document
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def issued(sample_kind, live_policy):
    return make_issued_document(live_policy)


def test_the_insured_downloads_its_document_as_an_attachment(issued, personas):
    response = _client(personas["insured_a"]).get(f"/documents/{issued.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == TINY_PDF
    assert hashlib.sha256(response.content).hexdigest() == issued.sha256
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E6%B5%8B%E8%AF%95" in disposition  # 测试通知书-….pdf


@pytest.mark.parametrize("role", ["insured_b", "bank"])
def test_another_insured_and_a_bank_get_404(issued, personas, role):
    client = _client(personas[role])
    for path in ("download/", "status/", ""):
        assert client.get(f"/documents/{issued.pk}/{path}").status_code == 404
    assert api_as(personas[role]).get(f"/api/v1/documents/{issued.pk}/download/").status_code == 404


def test_anonymous_is_sent_to_log_in_and_the_api_answers_401(issued):
    response = Client().get(f"/documents/{issued.pk}/download/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert api_as(None).get(f"/api/v1/documents/{issued.pk}/download/").status_code == 401


def test_a_document_about_a_subject_the_user_may_not_see_is_404(sample_kind, personas, insured_a,
                                                                 insured_b):  # fmt: skip
    """Visible by its policy (insured A's) but about insured B's policy: no download."""
    theirs = PolicyFactory(insured=insured_b)
    document = make_issued_document(theirs)
    Document.objects.filter(pk=document.pk).update(policy=PolicyFactory(insured=insured_a))
    client = _client(personas["insured_a"])
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
    assert (
        api_as(personas["insured_a"]).get(f"/api/v1/documents/{document.pk}/download/").status_code
        == 404
    )


def test_a_document_not_yet_issued_has_no_download_but_a_status(sample_kind, live_policy,
                                                                personas):  # fmt: skip
    document = document_request(kind=sample_kind, subject=live_policy)
    client = _client(personas["insured_a"])
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
    body = client.get(f"/documents/{document.pk}/status/").json()
    assert body == {
        "status": "queued", "status_label": str(DocumentStatus.QUEUED.label), "badge": "secondary", "pending": True,
        "reference": document.reference, "version": 1, "sha256": "", "download_url": None,
    }  # fmt: skip


def test_the_status_of_an_issued_document_gives_its_download(issued, personas):
    body = _client(personas["insured_a"]).get(f"/documents/{issued.pk}/status/").json()
    assert (body["status"], body["pending"]) == ("issued", False)
    assert body["download_url"] == f"/documents/{issued.pk}/download/"
    assert body["sha256"] == issued.sha256


def test_the_api_downloads_the_pdf_and_describes_the_document(issued, personas):
    client = api_as(personas["insured_a"])
    response = client.get(f"/api/v1/documents/{issued.pk}/download/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content == TINY_PDF
    body = client.get(f"/api/v1/documents/{issued.pk}/").json()
    assert body["sha256"] == issued.sha256
    assert body["subject_type"] == "policies.policy"
    assert body["download_url"] == f"/api/v1/documents/{issued.pk}/download/"


def test_the_list_is_scoped_and_filtered(issued, personas, insured_b):
    make_issued_document(PolicyFactory(insured=insured_b), reference="LN-2026-900002")
    page = _client(personas["insured_a"]).get("/documents/", {"status": "issued"})
    assert page.status_code == 200
    assert issued.reference in page.content.decode()
    assert "LN-2026-900002" not in page.content.decode()
    staff = _client(personas["underwriter"]).get("/documents/", {"status": "queued"})
    assert issued.reference not in staff.content.decode()
    api = api_as(personas["insured_a"]).get("/api/v1/documents/", {"kind": "loss_notice"}).json()
    assert [row["reference"] for row in api["results"]] == [issued.reference]


def test_the_list_takes_a_bounded_number_of_queries(issued, personas, live_policy,
                                                    django_assert_max_num_queries):  # fmt: skip
    for n in range(5):
        make_issued_document(PolicyFactory(insured=live_policy.insured),
                             reference=f"LN-2026-91000{n}")  # fmt: skip
    client = _client(personas["insured_a"])
    with django_assert_max_num_queries(12):
        assert client.get("/documents/").status_code == 200
    with django_assert_max_num_queries(8):
        assert api_as(personas["insured_a"]).get("/api/v1/documents/").status_code == 200


PANEL = Template("{% load documents %}{% documents_panel subject user %}")


def test_the_panel_lists_the_subjects_documents_with_a_download(issued, live_policy, personas):
    html = PANEL.render(Context({"subject": live_policy, "user": personas["insured_a"]}))
    assert issued.reference in html
    assert issued.sha256[:12] in html
    assert f"/documents/{issued.pk}/download/" in html
    assert "data-status-url" not in html


def test_the_panel_polls_a_document_being_made(sample_kind, live_policy, personas):
    document = document_request(kind=sample_kind, subject=live_policy)
    html = PANEL.render(Context({"subject": live_policy, "user": personas["insured_a"]}))
    assert f'data-status-url="/documents/{document.pk}/status/"' in html
    assert "js/documents.js" in html
    assert f"/documents/{document.pk}/download/" not in html


def test_the_panel_shows_nothing_of_a_subject_the_user_may_not_see(issued, live_policy,
                                                                   personas):  # fmt: skip
    html = PANEL.render(Context({"subject": live_policy, "user": personas["insured_b"]}))
    assert issued.reference not in html


def test_staff_correct_a_document_from_its_page(issued, personas):
    client = _client(personas["claims_handler"])
    page = client.get(f"/documents/{issued.pk}/")
    assert 'data-testid="reissue-form"' in page.content.decode()
    response = client.post(f"/documents/{issued.pk}/reissue/", {"reason": "金额更正"})
    second = Document.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == f"/documents/{second.pk}/"
    assert second.reissue_reason == "金额更正"


def test_a_correction_without_a_reason_is_refused_naming_it(issued, personas):
    client = _client(personas["claims_handler"])
    response = client.post(f"/documents/{issued.pk}/reissue/", {"reason": ""}, follow=True)
    assert Document.objects.count() == 1
    label = str(ReissueForm.base_fields["reason"].label)
    assert label in response.content.decode()


def test_the_insured_sees_no_correction_form(issued, personas):
    page = _client(personas["insured_a"]).get(f"/documents/{issued.pk}/")
    assert page.status_code == 200
    assert 'data-testid="reissue-form"' not in page.content.decode()


def test_the_api_reissue_answers_the_new_version(issued, personas):
    response = api_as(personas["underwriter"]).post(
        f"/api/v1/documents/{issued.pk}/reissue/", {"reason": "买方名称更正"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (2, "queued")
    refused = api_as(personas["underwriter"]).post(
        f"/api/v1/documents/{issued.pk}/reissue/", {"reason": "再次更正"}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["reason"]
