"""Bulk upload of turnover declarations, CSV or XLSX (SPEC 6; issue 7 item 2).

One import path for the portal page, the API and the Celery task:

1. `upload_create` stores the file in its `DeclarationUpload` row (bytes in the database,
   never under the web root, so a worker on any machine reads it and a retry finds it)
   and sends `premiums.tasks.process_declaration_upload` on commit. Too big a file, an
   unknown kind of file and a role that may not upload are refused at once.
2. `upload_process` (the task) reads the file as a whole and checks every row in memory
   against the policies and declarations it read once for the whole file, with the same
   `check_declaration` the form uses, writing its progress (`rows_checked`) as it goes.
3. Either every row is loaded, in one transaction, or nothing is: the upload is refused
   with an error per row and column (`errors`, downloadable as CSV).

The task is safe to repeat: the row holds the state; only an upload still `checking` is
processed, and the load takes the upload row's lock and moves its state in the same
transaction as the declarations, so a second run (a retry, a redelivered message) of a
finished upload does nothing, and a run killed half-way leaves nothing behind.

Who uploads: insured approvers and insured administrators (their own policies only: the
number of another insured's policy is an unknown policy, as if it did not exist), and
the insurer's premium staff entering paper declarations for any insured. A clerk is
refused with a message saying so: a clerk prepares declarations one at a time for an
approver to submit, and a file's rows are declared at once.

Encoding of CSV files: UTF-8 (with or without the byte-order mark Excel writes) and
GB18030 (which contains GBK and GB2312, what Excel on a Chinese Windows saves as "CSV"):
a file that is not valid UTF-8 is read as GB18030, and refused, naming the encoding, if
it is not valid GB18030 either.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import transitions
from core.money import DECIMAL_PLACES, ERROR_INVALID_FORM, MAX_DIGITS, parse_money
from core.services import action
from core.text import LONG_TEXT_MAX_LENGTH
from deadlines.choices import DeadlineKind
from deadlines.services import deadlines_meet_many
from limits.services import SUBMITTER_ROLES
from policies.models import Policy
from policies.selectors import policies_visible_to
from premiums import rules
from premiums.choices import DECLARATION_MACHINE, DeclarationAction, DeclarationStatus
from premiums.models import Declaration, DeclarationUpload
from premiums.services.common import is_premium_staff
from premiums.services.declarations import QuarterHistory, check_declaration

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# Errors kept in the row and shown; `error_count` counts them all.
MAX_STORED_ERRORS = 10_000
PROGRESS_EVERY = 5_000
BATCH = 5_000

# Column codes in the template's order; the Chinese labels are accepted as headers too.
COLUMNS = ("policy_number", "policy_year", "quarter", "turnover", "nil", "correction_reason")
REQUIRED_COLUMNS = frozenset({"policy_number", "policy_year", "quarter", "turnover"})
COLUMN_LABELS = {
    "policy_number": "保单号",
    "policy_year": "保单年度",
    "quarter": "季度",
    "turnover": "投保营业额",
    "nil": "零申报",
    "correction_reason": "更正原因",
}
HEADER_ALIASES = {
    **{code: code for code in COLUMNS},
    **{label: code for code, label in COLUMN_LABELS.items()},
}
NIL_YES = frozenset({"1", "y", "yes", "true", "是", "x"})
NIL_NO = frozenset({"", "0", "n", "no", "false", "否"})
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}

ERROR_ROLE = gettext_lazy("Your role does not allow uploading declarations.")
ERROR_CLERK = gettext_lazy(
    "A clerk prepares declarations one by one on the policy's page for an approver to "
    "submit; a file of declarations is uploaded by an approver or the insured's administrator."
)
ERROR_NO_FILE = gettext_lazy("Choose a CSV or XLSX file.")
ERROR_KIND = gettext_lazy("Upload a .csv or .xlsx file (the template is either).")
ERROR_TOO_BIG = gettext_lazy("The file is larger than %(mb)s MB: split it into several files.")
ERROR_EMPTY = gettext_lazy("The file is empty: it has no header row and no declarations.")
ERROR_NO_ROWS = gettext_lazy("The file has a header row but no declarations.")
ERROR_TOO_MANY_ROWS = gettext_lazy(
    "The file has more than %(max)s declarations: split it into several files."
)
ERROR_ENCODING = gettext_lazy(
    "The CSV file is neither UTF-8 nor GB18030 (GBK) text: save it as 'CSV UTF-8' and "
    "upload it again."
)
ERROR_XLSX = gettext_lazy("The file is not an Excel workbook (.xlsx) that can be read.")
ERROR_CSV = gettext_lazy("The CSV file cannot be read: %(error)s")
ERROR_UNKNOWN_COLUMN = gettext_lazy("Unknown column '%(name)s'; the columns are: %(columns)s.")
ERROR_DUPLICATE_COLUMN = gettext_lazy("The column '%(name)s' appears twice.")
ERROR_MISSING_COLUMN = gettext_lazy("The column '%(name)s' is missing.")
ERROR_EXTRA_CELLS = gettext_lazy("This row has more cells than the header has columns.")
ERROR_REQUIRED = gettext_lazy("This cell is required.")
ERROR_YEAR = gettext_lazy("Enter the policy year as a whole number, e.g. 1.")
ERROR_UNKNOWN_POLICY = gettext_lazy(
    "No policy %(number)s, policy year %(year)s, among the policies you declare for."
)
ERROR_QUARTER_NUMBER = gettext_lazy("Enter the quarter of the policy as 1, 2, 3 or 4 (or Q1-Q4).")
ERROR_NIL = gettext_lazy("Enter yes or no (1 or 0, 是 or 否), or leave it empty for no.")
ERROR_PLACES = gettext_lazy("At most two decimal places (cents).")
ERROR_TOO_LARGE = gettext_lazy("The amount has more than %(digits)s digits before the point.")
ERROR_FLOAT_CELL = gettext_lazy("Enter an amount this large as text in the cell.")
ERROR_REASON_LENGTH = gettext_lazy("Keep the reason within %(max)s characters.")
ERROR_DUPLICATE_ROW = gettext_lazy("This policy quarter is also on row %(row)s of the file.")
ERROR_FAILED = gettext_lazy("The file could not be processed; nothing was loaded. Try again.")

# Fields named by check_declaration, as the file's columns.
FIELD_COLUMNS = {
    "policy": "policy_number",
    "quarter": "quarter",
    "turnover": "turnover",
    "nil": "nil",
    "correction_reason": "correction_reason",
}


class UploadRefused(Exception):
    """The whole file is refused; `errors` are [{"row", "column", "message"}]."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def error(row: int | None, column: str, message) -> dict:
    return {"row": row, "column": column, "message": str(message)}


# Who may upload -----------------------------------------------------------------------


def may_upload(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_insurer_staff:
        return is_premium_staff(user)
    return user.organisation_id is not None and user.role in SUBMITTER_ROLES


def require_uploader(user) -> None:
    """PermissionError (answered 404 on pages, 403 in the API) for whoever may not."""
    if may_upload(user):
        return
    if getattr(user, "role", None) == "clerk":
        raise PermissionError(str(ERROR_CLERK))
    raise PermissionError(str(ERROR_ROLE))


# Creating an upload ---------------------------------------------------------------------


def file_format(filename: str) -> str | None:
    return FORMATS.get(PurePath(filename or "").suffix.lower())


def upload_create(*, actor, filename: str, content: bytes) -> DeclarationUpload:
    """Store the file and send it to be checked and loaded (on commit)."""
    from premiums.tasks import process_declaration_upload

    require_uploader(actor)
    if content is None:
        raise ValidationError({"file": ERROR_NO_FILE})
    if file_format(filename) is None:
        raise ValidationError({"file": ERROR_KIND})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": ERROR_TOO_BIG % {"mb": MAX_BYTES // (1024 * 1024)}})
    with action(actor):
        upload = DeclarationUpload.objects.create(
            organisation_id=actor.organisation_id, uploaded_by=actor,
            filename=PurePath(filename).name[:200], content=bytes(content),
            state=DeclarationUpload.State.CHECKING,
        )  # fmt: skip
        transaction.on_commit(lambda: process_declaration_upload.delay(upload.pk))
    return upload


# Reading the file -----------------------------------------------------------------------


def decode_csv(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRefused([error(None, "", ERROR_ENCODING)])


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = decode_csv(content)
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as problem:
        raise UploadRefused([error(None, "", ERROR_CSV % {"error": problem})]) from problem


def _cell_text(value) -> str:
    """An XLSX cell as the text an insured typed. Numbers come as floats: their shortest
    representation is the decimal the cell shows (1234.56 -> "1234.56"); beyond 2**53
    a float no longer holds every whole number, so such a cell must be text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if abs(value) >= 2**53:
            return "\x00float"
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as problem:
        raise UploadRefused([error(None, "", ERROR_XLSX)]) from problem
    except Exception as problem:  # openpyxl raises its own kinds for a damaged file
        raise UploadRefused([error(None, "", ERROR_XLSX)]) from problem
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


@dataclass
class Row:
    number: int  # the line in the file, the header being 1
    cells: dict[str, str]


@dataclass
class ParsedFile:
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def read_file(content: bytes, filename: str) -> ParsedFile:
    """The header and the data rows (blank rows skipped), or UploadRefused for the file."""
    if not content:
        raise UploadRefused([error(None, "", ERROR_EMPTY)])
    raw = enumerate(
        _xlsx_rows(content) if file_format(filename) == "xlsx" else _csv_rows(content), start=1
    )
    header = None
    for _number, cells in raw:
        if any(c.strip() for c in cells):
            header = cells
            break
    if header is None:
        raise UploadRefused([error(None, "", ERROR_EMPTY)])
    columns = _columns(header)
    width = len(columns)
    parsed = ParsedFile(columns=[c for c in columns if c])
    errors = []
    for number, cells in raw:
        if not any(c.strip() for c in cells):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise UploadRefused([error(None, "", ERROR_TOO_MANY_ROWS % {"max": f"{MAX_ROWS:,}"})])
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(error(number, "", ERROR_EXTRA_CELLS))
        parsed.rows.append(
            Row(number, {c: cells[i].strip() for i, c in enumerate(columns) if i < len(cells)})
        )
    if not parsed.rows:
        raise UploadRefused([error(None, "", ERROR_NO_ROWS)])
    if errors:
        raise UploadRefused(errors)
    return parsed


def _columns(header: list[str]) -> list[str]:
    """The column code of each header cell (trailing empty cells dropped)."""
    while header and not header[-1].strip():
        header = header[:-1]
    errors, codes, seen = [], [], set()
    for cell in header:
        name = cell.strip().lstrip("\ufeff")
        code = HEADER_ALIASES.get(name) or HEADER_ALIASES.get(name.lower())
        if code is None:
            errors.append(
                error(1, name, ERROR_UNKNOWN_COLUMN % {"name": name, "columns": ", ".join(COLUMNS)})
            )
        elif code in seen:
            errors.append(error(1, code, ERROR_DUPLICATE_COLUMN % {"name": name}))
        seen.add(code)
        codes.append(code)
    for code in COLUMNS:
        if code in REQUIRED_COLUMNS and code not in seen:
            errors.append(error(1, code, ERROR_MISSING_COLUMN % {"name": code}))
    if errors:
        raise UploadRefused(errors)
    return codes


# Checking the rows ----------------------------------------------------------------------


@dataclass
class Checked:
    """A row that passed: what will be written."""

    row: int
    policy: Policy
    quarter: rules.Quarter
    version: int
    turnover: Decimal
    nil: bool
    correction_reason: str
    corrects: bool


@dataclass
class CheckResult:
    checked: list[Checked] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    # What the check read for each (policy id, quarter), compared again under the lock.
    histories: dict = field(default_factory=dict)


def parse_amount(text: str) -> Decimal:
    """An amount cell as core.money reads a form's (thousands commas in groups of three),
    within the MoneyField's precision; ValidationError with the message otherwise."""
    if text == "\x00float":
        raise ValidationError(ERROR_FLOAT_CELL)
    try:
        value = parse_money(text, grouping=True)
    except ValueError:
        raise ValidationError(ERROR_INVALID_FORM) from None
    try:
        exponent = value.as_tuple().exponent
    except InvalidOperation:  # pragma: no cover - parse_money returns finite numbers
        raise ValidationError(ERROR_INVALID_FORM) from None
    if exponent < -DECIMAL_PLACES:
        raise ValidationError(ERROR_PLACES)
    if value.adjusted() >= MAX_DIGITS - DECIMAL_PLACES:
        raise ValidationError(ERROR_TOO_LARGE % {"digits": MAX_DIGITS - DECIMAL_PLACES})
    return value


def _parse_int(text: str, *, prefix: str = "") -> int | None:
    text = text.strip()
    if prefix and text[:1].upper() == prefix:
        text = text[1:]
    if text.isascii() and text.isdigit() and len(text) <= 4:
        return int(text)
    return None


# What the check and the load read of a policy (the rest is not loaded for 50,000 of them).
POLICY_FIELDS = (
    "pk", "insured", "policy_number", "year_index", "status", "period_start", "period_end",
    "declaration_deadline_days",
)  # fmt: skip


def policies_for(actor, keys: set[tuple[str, int]]) -> dict[tuple[str, int], Policy]:
    """The policies named in the file that the actor may see (through the scope module:
    an insured's user never finds another insured's policy)."""
    numbers = sorted({number for number, _year in keys})
    found = {}
    for start in range(0, len(numbers), BATCH):
        for policy in (
            policies_visible_to(actor)
            .filter(policy_number__in=numbers[start : start + BATCH])
            .select_related(None)
            .only(*POLICY_FIELDS)
            .order_by()
        ):
            found[(policy.policy_number, policy.year_index)] = policy
    return found


def histories_for(policy_ids: list[int]) -> dict[tuple[int, int], QuarterHistory]:
    """Each quarter's last version and whether it is declared or has a draft, for many
    policies at once."""
    summary: dict[tuple[int, int], list] = {}
    for start in range(0, len(policy_ids), BATCH):
        rows = Declaration.objects.filter(policy_id__in=policy_ids[start : start + BATCH])
        for policy_id, quarter, version, status in rows.values_list(
            "policy_id", "quarter", "version", "status"
        ).order_by():
            entry = summary.setdefault((policy_id, quarter), [0, False, False])
            entry[0] = max(entry[0], version)
            entry[1] = entry[1] or status == DeclarationStatus.SUBMITTED
            entry[2] = entry[2] or status == DeclarationStatus.DRAFT
    return {key: QuarterHistory(*entry) for key, entry in summary.items()}


def check_rows(
    parsed: ParsedFile, *, actor, today: date, progress: Callable[[int], None] | None = None
) -> CheckResult:
    """Check every row; nothing is written. The database is read three times for the
    whole file (policies, declarations), never per row."""
    result = CheckResult()
    keys = set()
    for row in parsed.rows:
        year = _parse_int(row.cells.get("policy_year", ""))
        if row.cells.get("policy_number") and year is not None:
            keys.add((row.cells["policy_number"], year))
    policies = policies_for(actor, keys)
    result.histories = histories_for(sorted({p.pk for p in policies.values()}))
    quarters_of = {
        p.pk: rules.policy_quarters(period_start=p.period_start, period_end=p.period_end)
        for p in policies.values()
    }
    seen: dict[tuple[int, int], int] = {}
    empty = QuarterHistory()
    for index, row in enumerate(parsed.rows, start=1):
        errors = _check_row(row, policies, quarters_of, result, seen, empty, today)
        result.errors.extend(errors)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)
    if progress:
        progress(len(parsed.rows))
    return result


def _check_row(row, policies, quarters_of, result, seen, empty, today) -> list[dict]:
    n, cells, errors = row.number, row.cells, []
    number = cells.get("policy_number", "")
    year_text = cells.get("policy_year", "")
    policy = None
    if not number:
        errors.append(error(n, "policy_number", ERROR_REQUIRED))
    year = _parse_int(year_text)
    if year is None:
        errors.append(error(n, "policy_year", ERROR_REQUIRED if not year_text else ERROR_YEAR))
    if number and year is not None:
        policy = policies.get((number, year))
        if policy is None:
            errors.append(
                error(n, "policy_number", ERROR_UNKNOWN_POLICY % {"number": number, "year": year})
            )
    quarter_text = cells.get("quarter", "")
    quarter = _parse_int(quarter_text, prefix="Q")
    if quarter is None:
        errors.append(
            error(n, "quarter", ERROR_REQUIRED if not quarter_text else ERROR_QUARTER_NUMBER)
        )
    nil_text = cells.get("nil", "").lower()
    nil = None
    if nil_text in NIL_YES:
        nil = True
    elif nil_text in NIL_NO:
        nil = False
    else:
        errors.append(error(n, "nil", ERROR_NIL))
    turnover_text = cells.get("turnover", "")
    turnover = None
    if turnover_text:
        try:
            turnover = parse_amount(turnover_text)
        except ValidationError as problem:
            errors.append(error(n, "turnover", problem.messages[0]))
    elif nil:
        turnover = Decimal(0)
    else:
        errors.append(error(n, "turnover", ERROR_REQUIRED))
    reason = cells.get("correction_reason", "")
    if len(reason) > LONG_TEXT_MAX_LENGTH:
        errors.append(
            error(n, "correction_reason", ERROR_REASON_LENGTH % {"max": LONG_TEXT_MAX_LENGTH})
        )
    if errors or policy is None:
        return errors
    key = (policy.pk, quarter)
    if key in seen:
        return [error(n, "quarter", ERROR_DUPLICATE_ROW % {"row": seen[key]})]
    seen[key] = n
    history = result.histories.get(key, empty)
    try:
        q, version, corrects = check_declaration(
            policy, quarter=quarter, turnover=turnover, nil=nil, correction_reason=reason,
            today=today, history=history, quarters=quarters_of[policy.pk],
        )  # fmt: skip
    except ValidationError as problem:
        return [
            error(n, FIELD_COLUMNS.get(name, name), message)
            for name, messages in problem.message_dict.items()
            for message in messages
        ]
    result.checked.append(
        Checked(
            row=n,
            policy=policy,
            quarter=q,
            version=version,
            turnover=turnover,
            nil=nil,
            correction_reason=reason if corrects else "",
            corrects=corrects,
        )  # fmt: skip
    )
    return []


# Loading --------------------------------------------------------------------------------


def load_rows(result: CheckResult, *, actor, upload: DeclarationUpload, today: date) -> int:
    """Write every checked row as the quarter's declaration, in bulk, inside the caller's
    transaction: the quarters corrected are superseded first, the declaration deadlines
    met, the new versions created (each with its status-change row), and each policy's
    premium adjusted once. Returns the rows written."""
    from premiums.services.account import premium_adjust

    policy_ids = sorted({c.policy.pk for c in result.checked})
    corrected = {(c.policy.pk, c.quarter.index) for c in result.checked if c.corrects}
    # A correction keeps the lateness of the declaration it replaces (as the form does).
    lateness = {}
    if corrected:
        current = [
            d
            for start in range(0, len(policy_ids), BATCH)
            for d in Declaration.objects.filter(
                policy_id__in=policy_ids[start : start + BATCH],
                status=DeclarationStatus.SUBMITTED,
            ).only("pk", "status", "policy_id", "quarter", "days_late")
            if (d.policy_id, d.quarter) in corrected
        ]
        lateness = {(d.policy_id, d.quarter): d.days_late for d in current}
        transitions.transition_many(
            DECLARATION_MACHINE, current, DeclarationAction.SUPERSEDE, actor=actor, today=today
        )
    declarations = []
    for c in result.checked:
        due_on = rules.declaration_due_on(
            quarter_end=c.quarter.end, deadline_days=c.policy.declaration_deadline_days
        )
        declarations.append(
            Declaration(
                policy_id=c.policy.pk,
                quarter=c.quarter.index,
                quarter_start=c.quarter.start,
                quarter_end=c.quarter.end,
                due_on=due_on,
                version=c.version,
                turnover=c.turnover,
                nil=c.nil,
                is_correction=c.corrects,
                correction_reason=c.correction_reason.strip(),
                prepared_by=actor,
                submitted_by=actor,
                submitted_on=today,
                days_late=lateness.get(
                    (c.policy.pk, c.quarter.index),
                    rules.days_late(submitted_on=today, due_on=due_on),
                ),
                upload=upload,
            )  # fmt: skip
        )
    deadlines_meet_many(
        kind=DeadlineKind.DECLARATION, subject_model=Policy,
        keys={(c.policy.pk, c.quarter.label) for c in result.checked}, on=today, actor=actor,
    )  # fmt: skip
    transitions.create_many(
        DECLARATION_MACHINE, declarations, DeclarationAction.DECLARE, actor=actor, today=today
    )
    # premium_adjust does nothing before the policy year has ended: only those are asked.
    ended = sorted({c.policy.pk for c in result.checked if c.policy.period_end <= today})
    for policy_id in ended:
        premium_adjust(policy_id=policy_id, actor=actor, today=today)
    return len(declarations)


def _lock_policies(policy_ids: list[int]) -> dict[int, str]:
    """The policies' statuses, locked as declaration_prepare locks one, in one order: the
    portal form and a file cannot declare one quarter twice between check and write."""
    statuses = {}
    for start in range(0, len(policy_ids), BATCH):
        statuses.update(
            Policy.objects.select_for_update(of=("self",))
            .filter(pk__in=policy_ids[start : start + BATCH])
            .order_by("pk")
            .values_list("pk", "status")
        )
    return statuses


def _finish(upload_id: int, **values) -> bool:
    """Move a `checking` upload to its outcome (compare-and-set: once only)."""
    values.setdefault("finished_at", timezone.now())
    return bool(
        DeclarationUpload.objects.filter(
            pk=upload_id, state=DeclarationUpload.State.CHECKING
        ).update(**values)
    )


def _refuse(upload_id: int, errors: list[dict]) -> None:
    _finish(
        upload_id, state=DeclarationUpload.State.REFUSED, errors=errors[:MAX_STORED_ERRORS],
        error_count=len(errors), rows_loaded=0,
    )  # fmt: skip


def upload_process(*, upload_id: int, today: date | None = None) -> DeclarationUpload:
    """Check the whole file and load it or refuse it (the Celery task's body)."""
    today = today or timezone.localdate()
    upload = DeclarationUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    if upload.state != DeclarationUpload.State.CHECKING:
        return upload  # done already: a retry or a second delivery does nothing
    actor = upload.uploaded_by
    try:
        require_uploader(actor)
        parsed = read_file(bytes(upload.content), upload.filename)
        DeclarationUpload.objects.filter(pk=upload_id).update(
            rows_total=len(parsed.rows), rows_checked=0
        )

        def progress(done: int) -> None:
            DeclarationUpload.objects.filter(pk=upload_id).update(rows_checked=done)

        result = check_rows(parsed, actor=actor, today=today, progress=progress)
        if result.errors:
            raise UploadRefused(result.errors)
        _load(upload_id, parsed, result, actor=actor, today=today)
    except UploadRefused as refused:
        _refuse(upload_id, refused.errors)
    except PermissionError as refused:
        _refuse(upload_id, [error(None, "", refused)])
    except Exception:
        logger.exception("declaration upload %s failed", upload_id)
        _finish(
            upload_id, state=DeclarationUpload.State.FAILED,
            errors=[error(None, "", ERROR_FAILED)], error_count=1,
        )  # fmt: skip
    upload.refresh_from_db()
    return upload


def _load(upload_id, parsed, result, *, actor, today) -> None:
    with action(actor):
        upload = DeclarationUpload.objects.select_for_update().get(pk=upload_id)
        if upload.state != DeclarationUpload.State.CHECKING:
            return  # another run finished it while this one was checking
        policy_ids = sorted({c.policy.pk for c in result.checked})
        statuses = _lock_policies(policy_ids)
        changed = any(statuses[c.policy.pk] != c.policy.status for c in result.checked)
        if changed or histories_for(policy_ids) != result.histories:
            # Someone declared one of these policies (or moved it) meanwhile: check again
            # under the lock.
            result = check_rows(parsed, actor=actor, today=today)
            if result.errors:
                raise UploadRefused(result.errors)
        loaded = load_rows(result, actor=actor, upload=upload, today=today)
        _finish(
            upload_id, state=DeclarationUpload.State.LOADED, rows_loaded=loaded,
            rows_checked=len(parsed.rows), errors=[], error_count=0,
        )  # fmt: skip


# The template and the error report ------------------------------------------------------

TEMPLATE_EXAMPLE = [
    ["TCI-2026-0001", "1", "1", "12,500,000.00", "0", ""],
    ["TCI-2026-0001", "1", "2", "0", "1", ""],
    ["TCI-2026-0002", "1", "1", "8000000", "0", "发票漏报，补充申报"],
]


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "declarations"
    sheet.append(list(COLUMNS))
    for row in TEMPLATE_EXAMPLE:
        sheet.append(row)  # text cells: amounts keep their cents exactly
    for letter, width in zip("ABCDEF", (18, 12, 10, 20, 8, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def errors_csv(upload: DeclarationUpload) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "message"])
    for item in upload.errors:
        writer.writerow([item.get("row") or "", item.get("column", ""), item.get("message", "")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
