"""Tests for MPAN, postcode and email checks in the API package."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.axle_flex_lite.api.validation import (
    InvalidMpanError,
    InvalidPostcodeError,
    is_valid_email,
    mpan_check_digit,
    normalise_mpan,
    normalise_postcode,
)

WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)

twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def _valid_core(prefix: str) -> str:
    return prefix + str(mpan_check_digit(prefix))


# --- MPAN -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first12", "expected"),
    [("190000000001", 3), ("140001234567", 8), ("123456789012", 6), ("000000000000", 0)],
)
def test_check_digit_known_values(first12: str, expected: int) -> None:
    """The worked examples in the API notes (and Axle's failing schema example) check out."""
    assert mpan_check_digit(first12) == expected


@given(twelve_digits)
def test_check_digit_matches_the_weighted_sum(first12: str) -> None:
    expected = sum(int(d) * w for d, w in zip(first12, WEIGHTS, strict=True)) % 11 % 10
    assert mpan_check_digit(first12) == expected


@pytest.mark.parametrize(
    "bad", ["", "12345678901", "1234567890123", "12345678901a", "١٢٣٤٥٦٧٨٩٠١٢"]
)
def test_check_digit_needs_twelve_ascii_digits(bad: str) -> None:
    with pytest.raises(InvalidMpanError):
        mpan_check_digit(bad)


@given(twelve_digits)
def test_every_prefix_with_its_check_digit_is_accepted(first12: str) -> None:
    core = _valid_core(first12)
    assert normalise_mpan(core) == core


@given(twelve_digits, st.integers(min_value=1, max_value=9))
def test_a_changed_check_digit_is_rejected(first12: str, shift: int) -> None:
    wrong = (mpan_check_digit(first12) + shift) % 10
    with pytest.raises(InvalidMpanError):
        normalise_mpan(first12 + str(wrong))
    # The sandbox switch skips exactly this check.
    assert normalise_mpan(first12 + str(wrong), check_digit=False) == first12 + str(wrong)


@given(
    twelve_digits,
    st.lists(st.sampled_from([" ", "-", "  ", " - ", "\t"]), min_size=14, max_size=14),
)
def test_spaces_and_dashes_anywhere_are_ignored(first12: str, separators: list[str]) -> None:
    core = _valid_core(first12)
    typed = "".join(sep + digit for sep, digit in zip(separators, core + " ", strict=False))
    typed += separators[-1]
    assert normalise_mpan(typed) == core


@given(twelve_digits, st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_a_full_21_digit_mpan_keeps_its_core(first12: str, top_line: str) -> None:
    core = _valid_core(first12)
    assert normalise_mpan(f"{top_line[:2]} {top_line[2:5]} {top_line[5:]} {core}") == core


@given(st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) not in (13, 21)))
def test_wrong_lengths_are_rejected(digits: str) -> None:
    with pytest.raises(InvalidMpanError):
        normalise_mpan(digits, check_digit=False)


@pytest.mark.parametrize(
    "bad", ["19000000000I3", "1900000000013x", "S 1900000000013", "+1900000000013"]
)
def test_anything_but_digits_spaces_and_dashes_is_rejected(bad: str) -> None:
    with pytest.raises(InvalidMpanError):
        normalise_mpan(bad)


def test_mpan_errors_never_repeat_the_input() -> None:
    with pytest.raises(InvalidMpanError) as err:
        normalise_mpan("1900000000014")
    assert "1900000000014" not in str(err.value)
    assert isinstance(err.value, ValueError)


# --- Postcode ---------------------------------------------------------------------------------

VALID_POSTCODES = [
    "SW1A 1AA",
    "CT1 2EH",
    "M1 1AE",
    "B33 8TH",
    "CR2 6XH",
    "DN55 1PT",
    "W1A 0AX",
    "EC1A 1BB",
    "GIR 0AA",
]


@pytest.mark.parametrize("postcode", VALID_POSTCODES)
def test_valid_postcodes_are_kept(postcode: str) -> None:
    assert normalise_postcode(postcode) == postcode


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  ct1   2eh ", "CT1 2EH"),
        ("M11AE", "M1 1AE"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcodes_are_normalised(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "AA",
        "SW1A",
        "QW1 1AA",  # Q cannot start a postcode
        "AI1 1AA",  # I cannot be second
        "A1I 1AA",  # I is not allowed third in A9A
        "AA1C 1AA",  # C is not allowed fourth in AA9A
        "SW1A 1CA",  # C is not allowed in the inward code
        "SW1A 1A",
        "SW1A 11AA",
        "12345",
        "SW1A-1AA",
    ],
)
def test_invalid_postcodes_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidPostcodeError) as err:
        normalise_postcode(bad)
    assert isinstance(err.value, ValueError)
    if bad:
        assert bad not in str(err.value)


@given(
    st.sampled_from(VALID_POSTCODES),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.lists(st.sampled_from(["", " ", "  ", "\t"]), min_size=9, max_size=9),
)
def test_any_spacing_and_case_normalise_to_the_same_value(
    postcode: str, lower: list[bool], spaces: list[str]
) -> None:
    compact = postcode.replace(" ", "")
    typed = "".join(
        spaces[i] + (char.lower() if lower[i] else char) for i, char in enumerate(compact)
    )
    typed += spaces[-1]
    normalised = normalise_postcode(typed)
    assert normalised == postcode
    assert normalise_postcode(normalised) == normalised


# --- Email ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["user@example.net", "first.last+flex@mail.example.co.uk", "a@b.c"]
)
def test_plausible_emails_are_valid(email: str) -> None:
    assert is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "",
        "user",
        "user@",
        "@example.net",
        "user@example",
        "user@@example.net",
        "us@er@example.net",
        "user name@example.net",
        "user@example.net ",
        "user@.example.net",
        "user@example.net.",
        "user@example..net",
    ],
)
def test_implausible_emails_are_invalid(email: str) -> None:
    assert not is_valid_email(email)
