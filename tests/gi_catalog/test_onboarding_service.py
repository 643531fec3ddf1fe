import pytest
from django.core.exceptions import ValidationError

from gi_catalog.choices import OnboardingStatus as S
from gi_catalog.models import OnboardingApplication, OnboardingStep
from gi_catalog.services import TRANSITIONS, application_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(seller):
    return OnboardingApplication.objects.create(
        seller=seller, has_identity_document=True, has_gi_certificate=True, has_bank_account=True
    )


def move(application, to_status, actor=None, **kwargs):
    return application_transition(
        application=application, to_status=to_status, actor=actor, **kwargs
    )


def test_walk_to_live_records_each_date_and_actor(application, officer):
    for to_status in (S.SUBMITTED, S.DOCUMENTS_VERIFIED, S.SHOP_APPROVED, S.LIVE):
        application = move(application, to_status, officer)
    application.refresh_from_db()
    assert application.status == S.LIVE
    assert application.submitted_at <= application.documents_verified_at
    assert application.shop_approved_at <= application.live_at
    steps = list(application.steps.values_list("from_status", "to_status", "actor__username"))
    assert steps == [
        (S.DRAFT, S.SUBMITTED, "officer"),
        (S.SUBMITTED, S.DOCUMENTS_VERIFIED, "officer"),
        (S.DOCUMENTS_VERIFIED, S.SHOP_APPROVED, "officer"),
        (S.SHOP_APPROVED, S.LIVE, "officer"),
    ]
    assert application.history.count() == 5  # created + four moves
    assert application.history.first().history_user == officer


ALL_PAIRS = [(a, b) for a in S.values for b in S.values]


@pytest.mark.parametrize(
    "from_status, to_status", [p for p in ALL_PAIRS if p[1] not in TRANSITIONS[p[0]]]
)
def test_every_move_outside_the_table_is_refused(application, from_status, to_status):
    OnboardingApplication.objects.filter(pk=application.pk).update(status=from_status)
    application.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        move(application, to_status, reason="x")
    assert error.value.code == "invalid_transition"
    application.refresh_from_db()
    assert application.status == from_status
    assert not OnboardingStep.objects.exists()


def test_no_skipping_draft_to_live(application):
    with pytest.raises(ValidationError):
        move(application, S.LIVE)
    application.refresh_from_db()
    assert (application.status, application.live_at) == (S.DRAFT, None)


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_needs_a_reason(application, reason):
    application = move(application, S.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        move(application, S.REJECTED, reason=reason)
    assert error.value.code == "reason_required"
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_rejection_keeps_its_reason(application, officer):
    application = move(application, S.SUBMITTED)
    application = move(application, S.REJECTED, officer, reason="ชื่อบัญชีไม่ตรง")
    assert application.rejection_reason == "ชื่อบัญชีไม่ตรง"
    assert application.closed_at is not None
    assert application.steps.last().note == "ชื่อบัญชีไม่ตรง"


@pytest.mark.parametrize(
    "missing", ["has_identity_document", "has_gi_certificate", "has_bank_account"]
)
def test_documents_must_be_complete_before_verification(application, missing):
    application = move(application, S.SUBMITTED)
    OnboardingApplication.objects.filter(pk=application.pk).update(**{missing: False})
    with pytest.raises(ValidationError) as error:
        move(application, S.DOCUMENTS_VERIFIED)
    assert error.value.code == "documents_missing"
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.documents_verified_at is None


def test_two_people_moving_from_the_same_state_only_one_wins(application, officer, supervisor):
    application = move(application, S.SUBMITTED)
    first = OnboardingApplication.objects.get(pk=application.pk)
    second = OnboardingApplication.objects.get(pk=application.pk)
    move(first, S.DOCUMENTS_VERIFIED, officer)
    with pytest.raises(ValidationError) as error:
        move(second, S.REJECTED, supervisor, reason="late")
    assert error.value.code == "concurrent_change"
    application.refresh_from_db()
    assert application.status == S.DOCUMENTS_VERIFIED
    assert application.rejection_reason == ""
    assert application.steps.count() == 2


def test_a_seller_has_one_open_application(application):
    other = OnboardingApplication(seller=application.seller)
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert list(error.value.message_dict) == ["seller"]
    move(application, S.WITHDRAWN)
    other.full_clean()  # a withdrawn application no longer blocks a new one
