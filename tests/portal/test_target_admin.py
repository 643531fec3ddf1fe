"""Issue 25, item 7: MOU targets shown as numbers people read ("50,000,000 THB", "20 %")."""

import datetime

import pytest
from django.urls import reverse

from portal.choices import TargetMetric, WorkstreamCode
from portal.models import Agreement, Target, Workstream

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(db):
    agreement = Agreement.objects.create(
        title="MOU", parties="DIP, TikTok", signed_on=datetime.date(2025, 1, 10)
    )
    workstream = Workstream.objects.create(agreement=agreement, code=WorkstreamCode.values[0])
    dates = {"period_start": datetime.date(2025, 1, 1), "due_date": datetime.date(2026, 12, 31)}
    gmv = Target.objects.create(
        workstream=workstream,
        name="GMV",
        metric=TargetMetric.PROMOTION_GMV,
        target_value="50000000.00",
        unit="THB",
        **dates,
    )
    rate = Target.objects.create(
        workstream=workstream,
        name="Removal rate",
        metric=TargetMetric.REMOVAL_RATE,
        target_value="20.00",
        unit="%",
        **dates,
    )
    share = Target.objects.create(
        workstream=workstream,
        name="Share",
        metric=TargetMetric.REMOVAL_RATE,
        target_value="87.50",
        unit="%",
        **dates,
    )
    return gmv, rate, share


def test_targets_show_integers_and_money_formatted(supervisor, client_for, targets):
    gmv, rate, _share = targets
    client = client_for(supervisor)
    page = client.get(reverse("admin:portal_target_changelist")).content.decode()
    assert "50,000,000 THB" in page and "20 %" in page and "87.50 %" in page
    assert "50000000.00" not in page and "20.00" not in page
    form = (
        client.get(reverse("admin:portal_target_change", args=[rate.pk])).context["adminform"].form
    )
    assert form["target_value"].value() == 20
    assert 'value="20"' in str(form["target_value"])
