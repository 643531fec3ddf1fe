from datetime import date, timedelta

import pytest
from django.utils import timezone

from portal.choices import TargetMetric
from portal.dashboard.selectors import Scope, training_section
from tests.dashboard import builders as b
from training.choices import ConsultationTopic, FollowUp

pytestmark = pytest.mark.django_db


def test_no_data():
    training = training_section(Scope())
    assert training["people_trained"] == training["sessions"] == training["consultations"] == 0
    assert training["attendance_rate"] is None  # nothing to divide by, not 0 %
    assert training["follow_up_share"] is None


def test_people_trained_sessions_and_attendance_rate():
    b.target(TargetMetric.PEOPLE_TRAINED, 4)
    course = b.course()
    first = b.session(course, b.at(date(2026, 2, 10)))
    second = b.session(course, b.at(date(2026, 3, 10)))
    future = b.session(course, timezone.now() + timedelta(days=30))
    ann, ben, cat = b.participant(), b.participant(), b.participant()
    b.attendance(first, ann, attended=True, completed=True)
    b.attendance(first, ben, attended=True)
    b.attendance(first, cat)  # registered, did not come
    b.attendance(second, ann, attended=True, completed=True)  # ann counts once
    b.attendance(future, ben)  # not held yet: not counted

    training = training_section(Scope())
    assert training["sessions"] == 2
    assert training["people_trained"] == 1
    assert training["registered"] == 4
    assert training["attended"] == 3
    assert training["attendance_rate"] == 75.0
    assert training["completion_rate"] == pytest.approx(66.7)
    assert training["sessions_by_month"] == [["2026-02", 1, 2], ["2026-03", 1, 1]]

    march = training_section(Scope(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)))
    assert march["sessions"] == 1 and march["people_trained"] == 1
    assert march["attendance_rate"] == 100.0


def test_consultations_by_topic_month_and_follow_up_share():
    b.consultation(date(2026, 1, 5), ConsultationTopic.GI, follow_up=FollowUp.REFERRED)
    b.consultation(date(2026, 1, 6), ConsultationTopic.GI)
    b.consultation(date(2026, 2, 1), ConsultationTopic.TRADEMARK)
    b.consultation(
        date(2026, 2, 2), ConsultationTopic.TRADEMARK, follow_up=FollowUp.TRADEMARK_FILED
    )

    training = training_section(Scope())
    assert training["consultations"] == 4
    assert training["consultations_followed_up"] == 2
    assert training["follow_up_share"] == 50.0
    by_topic = dict(training["consultations_by_topic"])
    assert by_topic["gi"] == 2 and by_topic["trademark"] == 2 and by_topic["copyright"] == 0
    assert training["consultations_by_month"] == [["2026-01", 2, 1], ["2026-02", 2, 1]]
