"""Amounts in Chinese capitals and the documents panel other apps' pages show (SPEC 9).

`rmb_capitals` follows the convention of cn2an's "rmb" mode, which is the one of the
People's Bank of China's rules for writing amounts on payment instruments (《支付结算办法》
附件一, 正确填写票据和结算凭证的基本规定): 人民币 then the yuan, 元, then 角 and 分; 整 after an
amount that ends at the yuan, none after one that ends at 角 or 分; a zero between two
non-zero digits written once as 零 (壹仟零壹元整), and 零 between the yuan and the 分
when there are no 角 (叁仟元零壹分); an amount under one yuan without 零元 (伍分).
Amounts are rounded to the cent first, half up, as everywhere in the project.

`{% documents_panel subject user [related …] %}` lists the documents about `subject` (and
the related objects named after it) that `user` may see; a template tag, not an import, so the apps below documents may use it. For the
rows of a list (a limit's decisions, each with its letter), `{% documents_index rows user
as index %}` reads them all at once and `{% document_link index row %}` shows each one's
current version.
"""

from decimal import Decimal

from django import template

from core.money import to_cents
from documents.selectors import documents_of, documents_of_many

register = template.Library()

CURRENCY = "人民币"


@register.filter
def rmb_capitals(value) -> str:
    """Decimal('1000000.00') -> 人民币壹佰万元整; Decimal('850000.50') -> 人民币捌拾伍万元伍角."""
    if value is None or value == "":
        return ""
    # Imported when first used: Django imports every tag library when its template engine
    # starts, in every web process, and cn2an takes about 0.4 s to import (its patterns).
    import cn2an

    amount = to_cents(Decimal(value) if isinstance(value, str | int) else value)
    # A string, never a float: cn2an reads the digits as written.
    return CURRENCY + cn2an.an2cn(f"{amount:f}", "rmb")


@register.inclusion_tag("documents/_panel.html")
def documents_panel(subject, user, *related):
    """The subject's documents with version, reference, status, hash and download; a
    document still being made shows its progress until it can be downloaded. `related`
    objects add theirs: a claim's page lists its notice's loss notice and its worksheet's
    PDF, whose subjects they are (`{% documents_panel claim user claim.notice worksheet %}`)."""
    documents = documents_of(user, subject) if subject is not None else []
    for other in related:
        if other is not None:
            documents += documents_of(user, other)
    return {"documents": documents}


@register.simple_tag
def documents_index(subjects, user) -> dict:
    """{subject id: its documents `user` may see}, for `document_link` in a list's rows."""
    return documents_of_many(user, subjects)


@register.inclusion_tag("documents/_link.html")
def document_link(index, subject):
    """The current version of the subject's document: its download once issued, else its
    progress (polled in place by documents.js)."""
    documents = index.get(getattr(subject, "pk", None), []) if index else []
    return {"document": documents[0] if documents else None}
