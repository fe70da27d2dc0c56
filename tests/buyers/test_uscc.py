import pytest
from django.core.exceptions import ValidationError

from core.uscc import ERROR_CHECKSUM, ERROR_FORMAT, ERROR_LENGTH, province_code, validate_uscc

# Real published codes (GB 32100-2015 check characters).
VALID = ["91110000600037341L", "91330100MA2B3C4D5" + "0", "911100007109279199"]


@pytest.mark.parametrize("code", ["91110000600037341L", "911100007109279199"])
def test_it_accepts_valid_codes(code):
    validate_uscc(code)


def test_it_refuses_a_wrong_check_character():
    with pytest.raises(ValidationError) as info:
        validate_uscc("91110000600037341M")
    assert info.value.messages == [str(ERROR_CHECKSUM)]


def test_it_refuses_a_short_code():
    with pytest.raises(ValidationError) as info:
        validate_uscc("9111000060003734")
    assert info.value.messages == [str(ERROR_LENGTH)]


def test_it_refuses_letters_in_the_division_code():
    with pytest.raises(ValidationError) as info:
        validate_uscc("91AB0000600037341L")
    assert info.value.messages == [str(ERROR_FORMAT)]


def test_province_comes_from_the_division_code():
    assert province_code("91440300MA5D1234XX") == "44"
