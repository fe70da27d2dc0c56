"""Checks of an uploaded file every app shares (claim files, signed agreements, consent
letters): the type is read from the content, never from the name the browser sent."""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ERROR_TOO_BIG = _("The file is larger than %(mb)s MB.")
ERROR_TYPE = _("Upload a PDF, JPEG, PNG, XLSX or DOCX file.")
ERROR_EMPTY = _("The file is empty.")

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
OOXML = {
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def content_type_of(content: bytes) -> str | None:
    """The file's type from its first bytes: PDF, JPEG, PNG, or an Office Open XML
    workbook or document (a ZIP whose entries say which)."""
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except zipfile.BadZipFile:
            return None
        for prefix, content_type in OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return content_type
    return None


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    sha256: str
    content: bytes


def checked_upload(*, filename: str, content: bytes, field: str = "file") -> CheckedFile:
    """The upload, or a ValidationError on `field`: not empty, within the size cap, of a
    type recognised from its content."""
    if not content:
        raise ValidationError({field: ERROR_EMPTY})
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({field: ERROR_TOO_BIG % {"mb": MAX_UPLOAD_BYTES // 2**20}})
    content_type = content_type_of(content)
    if content_type is None:
        raise ValidationError({field: ERROR_TYPE})
    return CheckedFile(
        filename=(filename or "document")[-200:], content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(), content=content,
    )  # fmt: skip
