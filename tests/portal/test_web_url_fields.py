"""Every stored web address is a WebURLField: http/https only, https when typed without one."""

import pytest
from django.core.exceptions import ValidationError

from gi_catalog.models import PromotionActivity
from takedowns.models import InfringingItem, SweepFinding
from training.models import TrainingSession

URL_FIELDS = [
    (PromotionActivity, "url"),
    (InfringingItem, "url"),
    (SweepFinding, "url"),
    (TrainingSession, "online_url"),
]


@pytest.mark.parametrize(("model", "field"), URL_FIELDS)
def test_a_web_address_without_a_scheme_is_read_as_https(model, field):
    form_field = model._meta.get_field(field).formfield()
    assert form_field.clean("shop.tiktok.com/view/1") == "https://shop.tiktok.com/view/1"


@pytest.mark.parametrize(("model", "field"), URL_FIELDS)
@pytest.mark.parametrize("address", ["ftp://example.org/file", "javascript:alert(1)"])
def test_a_web_address_of_another_scheme_is_refused(model, field, address):
    with pytest.raises(ValidationError) as refused:
        model._meta.get_field(field).formfield().clean(address)
    assert refused.value.messages == ["Enter a web address that starts with http:// or https://."]
    with pytest.raises(ValidationError):  # and the model itself, for imports and the API
        model._meta.get_field(field).run_validators(address)
