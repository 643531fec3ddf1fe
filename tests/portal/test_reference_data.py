import re

import pycountry
import pytest

from portal.models import Province

pytestmark = pytest.mark.django_db


def test_every_iso_subdivision_is_loaded_with_a_thai_name():
    codes = {sub.code for sub in pycountry.subdivisions.get(country_code="TH")}
    assert set(Province.objects.values_list("code", flat=True)) == codes
    assert Province.objects.exclude(subdivision_type="special_city").count() == 77
    thai = re.compile("[\u0e01-\u0e5b]")
    assert all(thai.search(name) for name in Province.objects.values_list("name_th", flat=True))


def test_known_provinces():
    assert Province.objects.get(code="TH-10").name_th == "กรุงเทพมหานคร"
    assert Province.objects.get(code="TH-57").name_en == "Chiang Rai"
    assert Province.objects.get(code="TH-57").name_th == "เชียงราย"


# serialized_rollback: the next transactional tests restore the migrated rows with their ids,
# which the groups this flush recreates (with new ids) would otherwise collide with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reference_data_survives_a_flush():
    from django.core.management import call_command

    call_command("flush", "--noinput", verbosity=0)
    assert Province.objects.count() == 78
