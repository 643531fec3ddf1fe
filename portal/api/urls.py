from django.urls import path

from portal.api import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("v1/me/", views.MeView.as_view(), name="me"),
]
