"""Who may do what on every catalog admin URL. Enforced by the server, crafted POSTs included."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gi_catalog.models import (
    GIAuthorization,
    GIProduct,
    OnboardingApplication,
    PromotionActivity,
    Seller,
)

pytestmark = pytest.mark.django_db

MODELS = {
    "giproduct": GIProduct,
    "seller": Seller,
    "giauthorization": GIAuthorization,
    "onboardingapplication": OnboardingApplication,
    "promotionactivity": PromotionActivity,
}
IMPORTABLE = ["giproduct", "seller", "giauthorization", "promotionactivity"]


@pytest.fixture
def objects(authorization, activity, seller):
    application = OnboardingApplication.objects.create(seller=seller)
    return {
        "giproduct": authorization.product,
        "seller": seller,
        "giauthorization": authorization,
        "onboardingapplication": application,
        "promotionactivity": activity,
    }


def urls(model, obj):
    pk = [obj.pk]
    found = {
        "changelist": reverse(f"admin:gi_catalog_{model}_changelist"),
        "add": reverse(f"admin:gi_catalog_{model}_add"),
        "change": reverse(f"admin:gi_catalog_{model}_change", args=pk),
        "delete": reverse(f"admin:gi_catalog_{model}_delete", args=pk),
        "history": reverse(f"admin:gi_catalog_{model}_history", args=pk),
    }
    if model in IMPORTABLE:
        found["import"] = reverse(f"admin:gi_catalog_{model}_import")
        found["process_import"] = reverse(f"admin:gi_catalog_{model}_process_import")
    found["export"] = reverse(f"admin:gi_catalog_{model}_export")
    return found


@pytest.mark.parametrize("role", ["liaison", "outsider"])
@pytest.mark.parametrize("model", list(MODELS))
def test_liaison_and_outsider_get_403_everywhere(role, model, role_users, client_for, objects):
    client = client_for(role_users[role])
    before = MODELS[model].objects.count()
    for name, url in urls(model, objects[model]).items():
        # process_import only accepts POST (405 on GET); the POST below must be refused.
        assert client.get(url).status_code == (405 if name == "process_import" else 403), name
        response = client.post(
            url,
            {
                "name": "hacked",
                "post": "yes",
                "action": "delete_selected",
                "_selected_action": [objects[model].pk],
                "format": "0",
                "import_file": SimpleUploadedFile("x.csv", b"a\n1\n"),
            },
        )
        assert response.status_code == 403, (name, url)
    assert MODELS[model].objects.count() == before
    if model == "seller":
        assert not Seller.objects.filter(name="hacked").exists()


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_catalog_is_not_on_their_admin_index_nor_autocomplete(
    role, role_users, client_for, objects
):
    client = client_for(role_users[role])
    response = client.get(reverse("admin:index"))
    assert "gi_catalog" not in response.content.decode()
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "gi_catalog",
            "model_name": "giauthorization",
            "field_name": "seller",
            "term": "ก",
        },
    )
    assert autocomplete.status_code == 403


@pytest.mark.parametrize("model", list(MODELS))
def test_manager_reads_and_exports_but_changes_nothing(model, manager, client_for, objects):
    client = client_for(manager)
    found = urls(model, objects[model])
    for name in ("changelist", "change", "history"):
        assert client.get(found[name]).status_code == 200, name
    for name in ("add", "delete"):
        assert client.get(found[name]).status_code == 403, name
        assert client.post(found[name], {"post": "yes"}).status_code == 403, name
    assert client.post(found["change"], {"name": "hacked", "title": "hacked"}).status_code == 403
    assert client.get(found["export"]).status_code == 200
    if model in IMPORTABLE:
        assert client.get(found["import"]).status_code == 403
        assert client.post(found["process_import"], {}).status_code == 403
    assert MODELS[model].objects.count() == 1


@pytest.mark.parametrize("model", list(MODELS))
def test_officer_creates_edits_imports_but_does_not_delete(model, officer, client_for, objects):
    client = client_for(officer)
    found = urls(model, objects[model])
    for name in ("changelist", "add", "change", "history"):
        assert client.get(found[name]).status_code == 200, name
    if model in IMPORTABLE:
        assert client.get(found["import"]).status_code == 200
        assert client.get(found["export"]).status_code == 200
    assert client.get(found["delete"]).status_code == 403
    assert client.post(found["delete"], {"post": "yes"}).status_code == 403
    response = client.post(
        found["changelist"],
        {"action": "delete_selected", "post": "yes", "_selected_action": [objects[model].pk]},
    )
    assert MODELS[model].objects.count() == 1
    assert response.status_code in (200, 302)


def test_supervisor_deletes(supervisor, client_for, objects):
    client = client_for(supervisor)
    activity = objects["promotionactivity"]
    response = client.post(urls("promotionactivity", activity)["delete"], {"post": "yes"})
    assert response.status_code == 302
    assert not PromotionActivity.objects.exists()
