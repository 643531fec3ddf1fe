from django.urls import path, re_path

from portal.api import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/cases/", views.CaseListView.as_view(), name="case-list"),
    path("v1/cases/<str:reference>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "v1/cases/<str:reference>/decision/",
        views.CaseDecisionView.as_view(),
        name="case-decision",
    ),
    # int: ASCII digits only ("١٢" is not item 12)
    path(
        "v1/items/<int:item_id>/decision/", views.ItemDecisionView.as_view(), name="item-decision"
    ),
    path("v1/reason-codes/", views.ReasonCodeListView.as_view(), name="reason-codes"),
    path("v1/events/", views.EventFeedView.as_view(), name="events"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),
]
