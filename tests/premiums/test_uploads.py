"""Bulk upload of declarations (SPEC 6; issue 7 item 2): a file is checked as a whole and
either every row is declared or nothing is, with an error per row and column."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.models import Deadline
from policies.choices import PolicyStatus
from premiums import services, uploads
from premiums.choices import DeclarationStatus
from premiums.models import Declaration, DeclarationStatusChange, DeclarationUpload
from tests.conftest import api_as
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages below are read in English; the Chinese ones are the catalogue's."""
    with translation.override("en"):
        yield


D = Decimal
HEADER = "policy_number,policy_year,quarter,turnover,nil,correction_reason\n"
TODAY = date(2026, 9, 15)  # the session's business day: Q1 and Q2 of 2026 have ended


@pytest.fixture
def second(insured_a):
    return PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)


@pytest.fixture
def foreign(insured_b):
    return PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)


@pytest.fixture
def opened(policy, second):
    for p in (policy, second):
        services.premium_account_open(policy_id=p.pk, today=date(2026, 1, 1))
    return policy, second


def run(actor, content, filename="declarations.csv"):
    """Create the upload and run its task (eagerly, as the worker would)."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    upload = uploads.upload_create(actor=actor, filename=filename, content=content)
    uploads.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    return upload


def csv_of(*rows, header=HEADER):
    return header + "".join(",".join(str(c) for c in row) + "\n" for row in rows)


def errors_of(upload):
    return [(e["row"], e["column"]) for e in upload.errors]


def assert_nothing_written(upload):
    assert upload.state == DeclarationUpload.State.REFUSED
    assert upload.rows_loaded == 0
    assert not Declaration.objects.exists()
    assert not DeclarationStatusChange.objects.exists()


# A good file --------------------------------------------------------------------------------


def test_a_good_file_declares_every_row_meets_the_deadlines_and_records_each_status(
    opened, approver
):
    policy, second = opened
    n1, n2 = policy.policy_number, second.policy_number
    upload = run(
        approver,
        csv_of(
            (n1, 1, 1, '"12,500,000.00"', 0, ""),
            (n1, 1, 2, "13000000.5", "", ""),
            (n2, 1, "Q1", "", "1", ""),
            (n2, 1, 2, "0", "是", ""),
        ),
    )
    assert (upload.state, upload.rows_total, upload.rows_checked, upload.rows_loaded) == (
        DeclarationUpload.State.LOADED, 4, 4, 4
    )  # fmt: skip
    rows = Declaration.objects.order_by("policy_id", "quarter")
    assert [(d.policy_id, d.quarter, d.turnover, d.nil, d.status, d.upload_id) for d in rows] == [
        (policy.pk, 1, D("12500000.00"), False, DeclarationStatus.SUBMITTED, upload.pk),
        (policy.pk, 2, D("13000000.50"), False, DeclarationStatus.SUBMITTED, upload.pk),
        (second.pk, 1, D("0.00"), True, DeclarationStatus.SUBMITTED, upload.pk),
        (second.pk, 2, D("0.00"), True, DeclarationStatus.SUBMITTED, upload.pk),
    ]
    first = rows.first()
    assert (first.submitted_by, first.submitted_on, first.due_on, first.days_late) == (
        approver, TODAY, date(2026, 4, 15), 153
    )  # fmt: skip
    # Every status through the mechanism: one "" -> submitted record per row.
    changes = DeclarationStatusChange.objects.filter(declaration__upload=upload)
    assert (
        sorted(changes.values_list("from_status", "to_status", "action", "actor"))
        == [("", "submitted", "declare", approver.pk)] * 4
    )
    met = Deadline.objects.filter(
        kind=DeadlineKind.DECLARATION, policy__in=[policy, second], key__in=["Q1", "Q2"]
    )
    assert set(met.values_list("status", flat=True)) == {DeadlineStatus.MET}
    assert set(met.values_list("met_on", flat=True)) == {TODAY}
    assert Deadline.objects.get(policy=policy, kind=DeadlineKind.DECLARATION, key="Q3").status == (
        DeadlineStatus.OPEN
    )


def test_an_xlsx_file_with_number_cells_and_chinese_headers_loads(policy, approver):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["保单号", "保单年度", "季度", "投保营业额", "零申报", "更正原因"])
    sheet.append([policy.policy_number, 1, 1, 1234567.89, 0, None])
    sheet.append([policy.policy_number, 1, 2, "2,000,000", False, None])
    out = io.BytesIO()
    workbook.save(out)
    upload = run(approver, out.getvalue(), filename="申报.xlsx")
    assert upload.state == DeclarationUpload.State.LOADED, upload.errors
    assert sorted(Declaration.objects.values_list("quarter", "turnover")) == [
        (1, D("1234567.89")),
        (2, D("2000000.00")),
    ]


def test_a_gb18030_csv_is_read_as_such(policy, approver):
    content = csv_of(
        (policy.policy_number, 1, 1, "100", 0, ""),
        header="保单号,保单年度,季度,投保营业额,零申报,更正原因\n",
    ).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert run(approver, content).state == DeclarationUpload.State.LOADED


def test_utf8_with_bom_and_crlf_lines_are_read(policy, approver):
    content = (
        b"\xef\xbb\xbf"
        + csv_of((policy.policy_number, 1, 1, "100", 0, "")).replace("\n", "\r\n").encode()
    )
    assert run(approver, content).state == DeclarationUpload.State.LOADED


def test_a_correction_with_its_reason_is_the_next_version_and_supersedes(policy, approver):
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("1000000"), submit=True
    )
    upload = run(approver, csv_of((policy.policy_number, 1, 1, "1200000", 0, "漏报两张发票")))
    assert upload.state == DeclarationUpload.State.LOADED, upload.errors
    versions = Declaration.objects.filter(policy=policy, quarter=1).order_by("version")
    assert [(d.version, d.status, d.turnover, d.correction_reason) for d in versions] == [
        (1, DeclarationStatus.SUPERSEDED, D("1000000.00"), ""),
        (2, DeclarationStatus.SUBMITTED, D("1200000.00"), "漏报两张发票"),
    ]
    assert versions[0].changes.filter(action="supersede", actor=approver).exists()


def test_staff_enter_paper_declarations_for_any_insured(policy, foreign, underwriter):
    upload = run(
        underwriter,
        csv_of(
            (policy.policy_number, 1, 1, "100", 0, ""), (foreign.policy_number, 1, 1, "5", 0, "")
        ),
    )
    assert upload.state == DeclarationUpload.State.LOADED, upload.errors
    assert Declaration.objects.filter(submitted_by=underwriter).count() == 2


def test_an_ended_policy_year_gets_its_premium_adjusted_once(insured_a, approver):
    """SPEC 6: declared 60,000,000 at 0.5% -> premium 300,000, adjustment 100,000."""
    ended = PolicyFactory(
        insured=insured_a, status=PolicyStatus.EXPIRED, period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )  # fmt: skip
    rows = [(ended.policy_number, 1, q, "15000000", 0, "") for q in (1, 2, 3, 4)]
    upload = run(approver, csv_of(*rows))
    assert upload.state == DeclarationUpload.State.LOADED, upload.errors
    adjustments = list(ended.premium_adjustments.all())
    assert [(a.version, a.turnover, a.adjustment) for a in adjustments] == [
        (1, D("60000000.00"), D("100000.00"))
    ]


# Refusals, row by row, nothing written -----------------------------------------------------


def test_each_defect_is_refused_on_its_row_and_column_and_nothing_is_written(
    opened, foreign, approver
):
    policy, second = opened
    services.declaration_prepare(
        actor=approver, policy_id=second.pk, quarter=1, turnover=D("5"), submit=True
    )
    before = Declaration.objects.count()
    n1 = policy.policy_number
    upload = run(
        approver,
        csv_of(
            (n1, 1, 1, "100", 0, ""),  # row 2: good on its own
            ("TCI-NOPE", 1, 1, "100", 0, ""),  # 3: unknown policy
            (foreign.policy_number, 1, 1, "100", 0, ""),  # 4: another insured's: unknown too
            (n1, 1, 5, "100", 0, ""),  # 5: quarter outside the policy
            (n1, 1, 3, "100", 0, ""),  # 6: quarter not yet ended
            (n1, 1, 1, "100", 0, ""),  # 7: the same quarter as row 2
            (second.policy_number, 1, 1, "100", 0, ""),  # 8: declared, no reason
            (n1, 1, 2, "-100", 0, ""),  # 9: negative
            (second.policy_number, 1, 2, '"12,34"', 0, ""),  # 10: malformed (grouping)
            (n1, 2, 2, "1e5", 0, ""),  # 11: unknown year; malformed amount
            (n1, 1, 4, "100", "1", ""),  # 12: nil with an amount (and Q4 not ended)
            (n1, 1, 2, "100.001", "maybe", ""),  # 13: three decimals; nil not yes/no
            ("", "", "", "", "", ""),  # blank row: skipped
            (n1, "one", "x", "", "", ""),  # 15: year, quarter, turnover missing
        ),
    )
    assert upload.state == DeclarationUpload.State.REFUSED
    assert errors_of(upload) == [
        (3, "policy_number"),
        (4, "policy_number"),
        (5, "quarter"),
        (6, "quarter"),
        (7, "quarter"),
        (8, "correction_reason"),
        (9, "turnover"),
        (10, "turnover"),
        (11, "policy_number"),
        (11, "turnover"),
        (12, "quarter"),
        (13, "nil"),
        (13, "turnover"),
        (15, "policy_year"),
        (15, "quarter"),
        (15, "turnover"),
    ]
    messages = {(e["row"], e["column"]): e["message"] for e in upload.errors}
    # Another insured's policy reads exactly like one that does not exist.
    assert messages[(4, "policy_number")] == messages[(3, "policy_number")].replace(
        "TCI-NOPE", foreign.policy_number
    )
    assert "row 2" in messages[(7, "quarter")]
    assert upload.error_count == 16 and upload.rows_loaded == 0
    assert Declaration.objects.count() == before  # nothing of the file, not even row 2


@pytest.mark.parametrize(
    "content,column",
    [
        ("policy_number,policy_year,quarter\nX,1,1\n", "turnover"),  # missing column
        (HEADER.strip() + ",amount\nX,1,1,1,0,,1\n", "amount"),  # extra column
        ("policy,year,quarter,turnover\nX,1,1,1\n", "policy"),  # wrong columns
        ("policy_number,policy_year,quarter,turnover,quarter\nX,1,1,1,1\n", "quarter"),
    ],
)
def test_wrong_missing_and_extra_columns_are_refused_on_the_header(
    policy, approver, content, column
):
    upload = run(approver, content)
    assert_nothing_written(upload)
    assert (1, column) in errors_of(upload)


def test_a_nil_declaration_with_an_amount_is_refused(policy, approver):
    upload = run(approver, csv_of((policy.policy_number, 1, 1, "100", 1, "")))
    assert_nothing_written(upload)
    assert errors_of(upload) == [(2, "turnover")]
    assert upload.errors[0]["message"] == str(services.declarations.ERROR_NIL_AMOUNT)


def test_a_row_longer_than_the_header_is_refused(policy, approver):
    upload = run(approver, csv_of((policy.policy_number, 1, 1, "100", 0, "", "surplus")))
    assert_nothing_written(upload)
    assert errors_of(upload) == [(2, "")]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", uploads.ERROR_EMPTY),
        (b"\n\n", uploads.ERROR_EMPTY),
        (HEADER.encode(), uploads.ERROR_NO_ROWS),
        (HEADER.encode("utf-16"), uploads.ERROR_ENCODING),
        (b"\xff\xfe\x00" * 10, uploads.ERROR_ENCODING),
    ],
)
def test_empty_and_undecodable_files_are_refused_as_a_whole(approver, content, message):
    upload = run(approver, content)
    assert_nothing_written(upload)
    assert [e["message"] for e in upload.errors] == [str(message)]


def test_a_damaged_workbook_is_refused(approver):
    upload = run(approver, b"PK\x03\x04 not really a zip", filename="x.xlsx")
    assert_nothing_written(upload)
    assert [e["message"] for e in upload.errors] == [str(uploads.ERROR_XLSX)]


def test_a_file_over_the_size_cap_is_refused_before_it_is_stored(approver):
    with pytest.raises(ValidationError) as refused:
        uploads.upload_create(
            actor=approver, filename="big.csv", content=b"x" * (uploads.MAX_BYTES + 1)
        )
    assert "20 MB" in refused.value.message_dict["file"][0]
    assert not DeclarationUpload.objects.exists()


def test_a_file_over_the_row_cap_is_refused(policy, approver, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 2)
    rows = [(policy.policy_number, 1, q, "1", 0, "") for q in (1, 2, 3)]
    upload = run(approver, csv_of(*rows))
    assert_nothing_written(upload)
    assert "more than 2 declarations" in upload.errors[0]["message"]


def test_another_kind_of_file_is_refused_at_once(approver):
    with pytest.raises(ValidationError):
        uploads.upload_create(actor=approver, filename="declarations.xls", content=b"x")


def test_a_mixed_file_loads_nothing(opened, approver):
    policy, second = opened
    upload = run(
        approver,
        csv_of(
            (policy.policy_number, 1, 1, "100", 0, ""),
            (policy.policy_number, 1, 2, "100", 0, ""),
            (second.policy_number, 1, 1, "abc", 0, ""),
        ),
    )
    assert_nothing_written(upload)
    assert errors_of(upload) == [(4, "turnover")]
    assert not Deadline.objects.filter(status=DeadlineStatus.MET).exists()


def test_a_quarter_with_a_draft_is_refused_like_the_form_does(policy, clerk, approver):
    services.declaration_prepare(actor=clerk, policy_id=policy.pk, quarter=1, turnover=D("5"))
    upload = run(approver, csv_of((policy.policy_number, 1, 1, "100", 0, "")))
    assert upload.errors[0]["message"] == str(services.declarations.ERROR_DRAFT_EXISTS)


# Who, and running twice --------------------------------------------------------------------


def test_a_clerk_is_refused_with_the_reason(clerk):
    with pytest.raises(PermissionError, match="approver"):
        uploads.upload_create(actor=clerk, filename="d.csv", content=b"x")


@pytest.mark.parametrize("name", ["claims_handler", "bank"])
def test_other_roles_may_not_upload(personas, name):
    with pytest.raises(PermissionError):
        uploads.upload_create(actor=personas[name], filename="d.csv", content=b"x")


def test_a_second_run_of_a_finished_upload_does_nothing(policy, approver):
    upload = run(approver, csv_of((policy.policy_number, 1, 1, "100", 0, "")))
    finished_at = upload.finished_at
    again = uploads.upload_process(upload_id=upload.pk)
    assert (again.state, again.finished_at) == (DeclarationUpload.State.LOADED, finished_at)
    assert Declaration.objects.count() == 1


def test_a_run_killed_half_way_leaves_nothing_and_the_retry_loads(policy, approver, monkeypatch):
    upload = uploads.upload_create(
        actor=approver,
        filename="d.csv",
        content=csv_of((policy.policy_number, 1, 1, "1", 0, "")).encode(),
    )

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")  # not an Exception: nothing marks the upload

    monkeypatch.setattr(uploads, "deadlines_meet_many", crash)
    with pytest.raises(SystemExit):
        uploads.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.state == DeclarationUpload.State.CHECKING
    assert not Declaration.objects.exists()
    monkeypatch.undo()
    assert uploads.upload_process(upload_id=upload.pk).state == DeclarationUpload.State.LOADED


def test_the_task_is_sent_on_commit_and_processes_the_upload(
    policy, approver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = uploads.upload_create(
            actor=approver, filename="d.csv",
            content=csv_of((policy.policy_number, 1, 1, "1", 0, "")).encode(),
        )  # fmt: skip
    upload.refresh_from_db()
    assert upload.state == DeclarationUpload.State.LOADED


# Through HTTP ------------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_page_explains_insured_turnover_and_offers_both_templates(approver):
    page = _client(approver).get("/premiums/uploads/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="turnover-explained"' in text and 'data-testid="upload-form"' in text
    csv_template = _client(approver).get("/premiums/uploads/template.csv")
    assert csv_template.content.decode("utf-8-sig").splitlines()[0] == ",".join(uploads.COLUMNS)
    xlsx = _client(approver).get("/premiums/uploads/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == list(uploads.COLUMNS)


def test_a_clerk_sees_why_it_cannot_upload(clerk):
    page = _client(clerk).get("/premiums/uploads/new/")
    assert 'data-testid="clerk-note"' in page.content.decode()
    assert 'data-testid="upload-form"' not in page.content.decode()


def test_the_template_uploaded_as_it_is_names_its_example_policies(approver):
    upload = run(approver, uploads.template_xlsx(), filename="declarations-template.xlsx")
    assert_nothing_written(upload)
    assert {e["column"] for e in upload.errors} == {"policy_number"}


def test_uploading_through_the_page_shows_the_result_and_the_error_report(
    policy, approver, django_capture_on_commit_callbacks
):
    client = _client(approver)
    bad = SimpleUploadedFile("d.csv", csv_of((policy.policy_number, 1, 9, "1", 0, "")).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/premiums/uploads/new/", {"file": bad})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'data-testid="upload-refused"' in page.content.decode()
    upload = DeclarationUpload.objects.get()
    report = client.get(f"/premiums/uploads/{upload.pk}/errors.csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,message" and lines[1].startswith("2,quarter,")
    status = client.get(f"/premiums/uploads/{upload.pk}/status/").json()
    assert status == {
        "state": "refused", "rows_total": 1, "rows_checked": 1, "rows_loaded": 0,
        "error_count": 1,
    }  # fmt: skip
    good = SimpleUploadedFile("d.csv", csv_of((policy.policy_number, 1, 1, "1", 0, "")).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/premiums/uploads/new/", {"file": good})
    page = client.get(response["Location"])
    assert 'data-testid="upload-loaded"' in page.content.decode()
    listing = client.get("/premiums/uploads/")
    assert listing.status_code == 200 and "d.csv" in listing.content.decode()


def test_the_progress_part_polls_while_the_file_is_checked(approver):
    upload = uploads.upload_create(actor=approver, filename="d.csv", content=b"x")
    DeclarationUpload.objects.filter(pk=upload.pk).update(rows_total=200, rows_checked=50)
    part = _client(approver).get(f"/premiums/uploads/{upload.pk}/", HTTP_HX_REQUEST="true")
    text = part.content.decode()
    assert "hx-trigger" in text and "25%" in text and "<html" not in text


def test_a_wrong_kind_of_file_on_the_page_names_the_field(approver):
    response = _client(approver).post(
        "/premiums/uploads/new/", {"file": SimpleUploadedFile("d.txt", b"x")}
    )
    assert response.status_code == 200
    assert str(uploads.ERROR_KIND) in response.content.decode()


def test_the_api_accepts_a_file_with_202_and_answers_its_state(
    policy, approver, personas, django_capture_on_commit_callbacks
):
    api = api_as(approver)
    content = csv_of((policy.policy_number, 1, 1, '"1,000.00"', 0, "")).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/declaration-uploads/",
            {"file": SimpleUploadedFile("d.csv", content)},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "checking"
    upload_id = response.json()["id"]
    answer = api.get(f"/api/v1/declaration-uploads/{upload_id}/").json()
    assert (answer["state"], answer["rows_loaded"], answer["errors"]) == ("loaded", 1, [])
    assert len(api.get("/api/v1/declaration-uploads/", {"state": "loaded"}).json()["results"]) == 1
    assert api.get("/api/v1/declaration-uploads/", {"nope": "1"}).status_code == 400
    other = api_as(personas["insured_b"])
    assert other.get(f"/api/v1/declaration-uploads/{upload_id}/").status_code == 404
    assert other.get("/api/v1/declaration-uploads/").json()["results"] == []


def test_the_api_names_the_file_when_it_is_missing_or_of_another_kind(approver):
    api = api_as(approver)
    assert "file" in api.post("/api/v1/declaration-uploads/", {}, format="multipart").json()
    response = api.post(
        "/api/v1/declaration-uploads/",
        {"file": SimpleUploadedFile("d.pdf", b"%PDF")},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()


def test_the_api_refuses_a_clerk_with_the_reason(clerk):
    response = api_as(clerk).post(
        "/api/v1/declaration-uploads/",
        {"file": SimpleUploadedFile("d.csv", b"x")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "approver" in response.json()["detail"]


def test_uploaded_declarations_are_in_the_audit_trail_with_who_uploaded(opened, approver):
    policy, _second = opened
    upload = run(approver, csv_of((policy.policy_number, 1, 1, "1000", 0, "")))
    assert upload.state == DeclarationUpload.State.LOADED
    declaration = Declaration.objects.get(policy=policy, quarter=1)
    events = Declaration.pgh_event_model.objects.filter(pgh_obj_id=declaration.pk)
    assert [e.pgh_label for e in events] == ["insert"]
    assert events[0].pgh_context.metadata["user"] == approver.pk


def test_an_upload_whose_task_was_lost_is_queued_again_and_finished(opened, approver):
    from datetime import timedelta

    from django.utils import timezone

    from premiums.tasks import resume_declaration_uploads

    policy, _second = opened
    upload = uploads.upload_create(
        actor=approver, filename="d.csv",
        content=csv_of((policy.policy_number, 1, 1, "1000", 0, "")).encode(),
    )  # fmt: skip
    # The task was lost: the row is still being checked, and it is older than the wait.
    DeclarationUpload.objects.filter(pk=upload.pk).update(
        state=DeclarationUpload.State.CHECKING, created_at=timezone.now() - timedelta(hours=1)
    )
    assert resume_declaration_uploads() == 1  # tasks run eagerly here
    upload.refresh_from_db()
    assert upload.state == DeclarationUpload.State.LOADED
    assert resume_declaration_uploads() == 0
