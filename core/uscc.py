"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

The check character is computed by python-stdnum (`stdnum.cn.uscc`); this module adds
the messages our forms show and the administrative-division reading we use for the
region (characters 3-8 are the registration authority's division code).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc as stdnum_uscc

ERROR_LENGTH = _("A USCC has exactly 18 characters.")
ERROR_FORMAT = _("A USCC contains only digits and capital letters other than I, O, S, V and Z.")
ERROR_CHECKSUM = _("The USCC check character is wrong; please check the code.")


def normalize_uscc(value: str) -> str:
    return stdnum_uscc.compact(value or "")


def validate_uscc(value: str) -> None:
    """Raise ValidationError with a message naming what is wrong with the code."""
    try:
        stdnum_uscc.validate(value)
    except stdnum_exceptions.InvalidLength as exc:
        raise ValidationError(ERROR_LENGTH, code="uscc_length") from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError(ERROR_CHECKSUM, code="uscc_checksum") from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(ERROR_FORMAT, code="uscc_format") from exc


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return first17 + stdnum_uscc.calc_check_digit(first17)


def province_code(uscc: str) -> str:
    """Two-digit province code of the registering authority (GB/T 2260)."""
    return uscc[2:4]
