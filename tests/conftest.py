"""The fixed cast of users every admin test uses: one per role, plus an outsider and a superuser.

Also the one way to mark a test that only PostgreSQL can run: ``@pytest.mark.requires_postgres("why")``
(or in ``pytestmark``). On any other database (``DATABASE_URL=sqlite:///...``) such a test is skipped,
and pytest's summary prints the reason.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("requires_postgres")
        if marker is not None:
            why = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL: {why}".rstrip(": ")))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(request, settings):
    """Tasks run in the test's own process and transaction, even when CI configures a broker.

    Tests marked ``worker`` talk to a real worker through the broker and opt out.
    """
    if request.node.get_closest_marker("worker"):
        yield
        return
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = before


def _make_user(django_user_model, username, role=None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password="pw", email=f"{username}@example.org", is_staff=True, **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(db, django_user_model):
    return _make_user(django_user_model, "officer", OFFICER)


@pytest.fixture
def supervisor(db, django_user_model):
    return _make_user(django_user_model, "supervisor", SUPERVISOR)


@pytest.fixture
def liaison(db, django_user_model):
    return _make_user(django_user_model, "liaison", LIAISON)


@pytest.fixture
def manager(db, django_user_model):
    return _make_user(django_user_model, "manager", MANAGER)


@pytest.fixture
def outsider(db, django_user_model):
    """Staff flag but no role: must see nothing."""
    return _make_user(django_user_model, "outsider")


@pytest.fixture
def role_users(officer, supervisor, liaison, manager, outsider):
    return {
        "officer": officer,
        "supervisor": supervisor,
        "liaison": liaison,
        "manager": manager,
        "outsider": outsider,
    }


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
