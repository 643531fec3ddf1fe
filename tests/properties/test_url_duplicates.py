"""Issue 24, item 7: the duplicate-URL check holds across every spelling of a listing's URL
(``takedowns.normalize``): each generated variant of an open listing is refused as a duplicate."""

import string
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from takedowns import case_items
from takedowns.models import InfringingItem, TakedownCase
from takedowns.normalize import NON_IDENTIFYING_PARAMETERS, normalize_url
from tests.takedowns.conftest import holder, make_case, right  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

#: Open listings (host, path segments): a seller's video and a shop product.
LISTINGS = (
    ("tiktok.com", ("@seller068", "video", "7301234567890123456")),
    ("shop.tiktok.com", ("view", "product", "1729384756012345678")),
)


def _random_case(draw, text):
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))


def _percent_encoded(draw, segment):
    """Some characters of ``segment`` written as %XX (either case of hex digits)."""
    out = []
    for char in segment:
        if draw(st.integers(0, 4)) == 0:
            encoded = quote(char, safe="").replace(char, f"%{ord(char):02X}")
            out.append(encoded.lower() if draw(st.booleans()) else encoded)
        else:
            out.append(char)
    return "".join(out)


SECOND = "The same listings reported again"


@st.composite
def listing_variants(draw):
    """One of ``LISTINGS`` and another spelling of its URL."""
    host, segments = draw(st.sampled_from(LISTINGS))
    prefix = draw(st.sampled_from(["", "www.", "m."])) if host == "tiktok.com" else ""
    listing = f"https://{host}/" + "/".join(segments)
    # (typed without a scheme, the admin's form reads it as https: test_url_variants)
    scheme = draw(st.sampled_from(["https://", "http://", "HTTPS://", "Http://"]))
    port = draw(st.sampled_from(["", ":443"])) if scheme.lower() != "http://" else ""
    path = []
    for segment in segments:
        if segment.startswith("@"):
            segment = _random_case(draw, segment)
        path.append(_percent_encoded(draw, segment))
        path += draw(st.lists(st.sampled_from(["", ".", "x/.."]), max_size=2))
    query = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(NON_IDENTIFYING_PARAMETERS) + ["utm_source", "UTM_Medium"]),
                st.text(string.ascii_letters + string.digits + "-_", max_size=6),
            ),
            max_size=4,
        )
    )
    variant = scheme + _random_case(draw, prefix + host) + port + "/" + "/".join(path)
    if draw(st.booleans()):
        variant += "/"
    if query:
        variant += "?" + "&".join(f"{name}={value}" for name, value in query)
    if draw(st.booleans()):
        variant += "#" + draw(st.text(string.ascii_letters, max_size=5))
    return listing, variant


@given(pair=listing_variants())
def test_duplicate_check_holds_across_every_spelling_of_a_listing(
    pair,
    right,  # noqa: F811
    officer,
):
    """Each generated spelling of an open listing's URL is refused as a duplicate of it (the
    listings are reported once, on first use; the examples report them again in one draft)."""
    listing, variant = pair
    assert normalize_url(variant) == normalize_url(listing), variant
    reported = InfringingItem.objects.filter(url=listing).select_related("case").first()
    if reported is None:
        case = make_case(right, items=0)
        reported = case_items.item_add(case=case, actor=officer, url=listing, kind="listing")
    second = TakedownCase.objects.filter(title=SECOND).first() or make_case(
        right, items=0, title=SECOND
    )
    with pytest.raises(ValidationError) as error:
        case_items.item_add(case=second, actor=officer, url=variant, kind="listing")
    assert reported.case.reference in " ".join(error.value.message_dict["url"]), variant
    assert not second.items.exists()
