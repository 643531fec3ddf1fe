"""Properties of the pure parsers and validators: URL normalisation, Thai tax ids, decoding, escaping."""

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.th import moa, pin

from gi_catalog.validators import compact_tax_id, validate_thai_tax_id
from portal.formulas import FORMULA_TRIGGERS, escape_formula, unescape_formula
from portal.reading import UnreadableFileError, decode_text
from takedowns.normalize import NON_IDENTIFYING_PARAMETERS, normalize_url

hosts = st.from_regex(r"\A(www\.)?[a-z][a-z0-9-]{0,10}\.(com|co\.th|th|shop)\Z")
segments = st.lists(
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~ก-ฮ", min_size=1, max_size=8),
    max_size=4,
)
params = st.lists(
    st.tuples(
        st.sampled_from(["id", "q", "page", "sku", "x"]),
        st.text(string.ascii_letters + string.digits, max_size=6),
    ),
    max_size=3,
    unique_by=lambda pair: pair[0],
)
tracking = st.lists(
    st.tuples(
        st.sampled_from(sorted(NON_IDENTIFYING_PARAMETERS) + ["utm_source", "utm_campaign"]),
        st.text(string.ascii_letters, max_size=5),
    ),
    max_size=3,
)


def build_url(scheme, host, path, query, fragment=""):
    from urllib.parse import urlencode

    text = f"{scheme}://{host}/" + "/".join(path)
    if query:
        text += "?" + urlencode(query)
    if fragment:
        text += "#" + fragment
    return text


@given(st.sampled_from(["http", "https", "HTTPS"]), hosts, segments, params)
def test_normalising_is_idempotent(scheme, host, path, query):
    once = normalize_url(build_url(scheme, host, path, query))
    assert normalize_url(once) == once
    assert once.startswith("https://")
    assert "#" not in once


@given(
    hosts,
    segments,
    params,
    tracking,
    st.text(string.ascii_letters, max_size=5),
    st.booleans(),
    st.booleans(),
)
def test_tracking_case_fragment_and_order_do_not_change_the_identity(
    host, path, query, extra, fragment, upper, slash
):
    plain = normalize_url(build_url("https", host, path, query))
    shuffled = list(reversed(query)) + extra
    variant = build_url("http", host.upper() if upper else host, path, shuffled, fragment)
    if slash and not variant.endswith("/") and "?" not in variant and "#" not in variant:
        variant += "/"
    assert normalize_url(variant) == plain


@given(hosts, segments, params, params)
def test_different_listings_stay_different(host, path, query_a, query_b):
    assume(dict(query_a) != dict(query_b))
    a = normalize_url(build_url("https", host, path, query_a))
    b = normalize_url(build_url("https", host, path, query_b))
    assert a != b


@given(st.text(max_size=60))
def test_any_text_is_normalised_or_refused_with_value_error(text):
    try:
        result = normalize_url(text)
    except ValueError:
        return
    assert result.startswith("https://")
    assert normalize_url(result) == result


def with_check_digit(twelve: str) -> str:
    module = moa if twelve[0] == "0" else pin
    return twelve + module.calc_check_digit(twelve)


# personal ids start 1-8; juristic-person tax numbers start 0
twelve_digits = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("012345678"),
    st.text(alphabet=string.digits, min_size=11, max_size=11),
)


@given(twelve_digits, st.sampled_from(["", "-", " "]))
def test_a_correct_check_digit_is_accepted_in_any_layout(twelve, separator):
    number = with_check_digit(twelve)
    laid_out = separator.join([number[0], number[1:5], number[5:10], number[10:12], number[12]])
    validate_thai_tax_id(laid_out)
    assert compact_tax_id(laid_out) == number


@given(twelve_digits, st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_refused_as_checksum(twelve, shift):
    number = with_check_digit(twelve)
    wrong = number[:12] + str((int(number[12]) + shift) % 10)
    with pytest.raises(ValidationError) as error:
        validate_thai_tax_id(wrong)
    assert error.value.code == "checksum"


@given(st.text(max_size=20))
def test_any_text_is_a_tax_id_or_a_validation_error(text):
    try:
        validate_thai_tax_id(text)
    except ValidationError as error:
        assert error.code in {"format", "checksum", "invalid"}
    else:
        assert len(compact_tax_id(text)) == 13


@given(st.text(max_size=200))
def test_utf8_text_decodes_to_itself_with_or_without_bom(text):
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-8-sig")) == text


@given(st.binary(max_size=300))
def test_any_bytes_are_decoded_or_refused_with_advice(data):
    try:
        text = decode_text(data)
    except UnreadableFileError as error:
        assert "CSV UTF-8" in str(error)
    else:
        assert isinstance(text, str)


@given(st.text(max_size=50))
def test_escaped_cells_never_start_a_formula_and_lose_nothing(value):
    escaped = escape_formula(value)
    assert not escaped.startswith(FORMULA_TRIGGERS)
    assert escaped in (value, "'" + value)
    assert (escaped != value) == value.lstrip("'").startswith(FORMULA_TRIGGERS)


TRICKY = st.text(alphabet=st.sampled_from(["'", "+", "=", "-", "@", "\t", "\r", "a", "๖"]))


@given(TRICKY | st.text())
def test_formula_escape_round_trips_on_import(value):
    """Issue 16, item "Export → import corrupts data": what an import reads back is what was
    exported, also for text that itself starts with quotes."""
    assert unescape_formula(escape_formula(value)) == value
