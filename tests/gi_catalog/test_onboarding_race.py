"""Two officers move one application from the same state at the same moment: exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError

from gi_catalog.choices import OnboardingStatus as S
from gi_catalog.models import OnboardingApplication
from gi_catalog.services import application_transition


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.requires_postgres("needs row locks of a real database")
def test_concurrent_moves_from_the_same_state(officer, supervisor, seller):
    application = OnboardingApplication.objects.create(
        seller=seller, has_identity_document=True, has_gi_certificate=True, has_bank_account=True
    )
    application = application_transition(
        application=application, to_status=S.SUBMITTED, actor=officer
    )
    barrier = threading.Barrier(2)
    outcomes = {}

    def move(name, user, to_status):
        from django.db import connection as thread_connection

        try:
            mine = OnboardingApplication.objects.get(pk=application.pk)  # both read "submitted"
            barrier.wait()
            application_transition(
                application=mine, to_status=to_status, actor=user, reason="ไม่ผ่าน"
            )
            outcomes[name] = "moved"
        except ValidationError:
            outcomes[name] = "refused"
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=move, args=("verify", officer, S.DOCUMENTS_VERIFIED)),
        threading.Thread(target=move, args=("reject", supervisor, S.REJECTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["moved", "refused"]
    application.refresh_from_db()
    winner = S.DOCUMENTS_VERIFIED if outcomes["verify"] == "moved" else S.REJECTED
    assert application.status == winner
    assert application.steps.count() == 2
    assert application.version == 2
