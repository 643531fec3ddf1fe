"""django-filter sets for the catalog, and the adapter that shows their choices as admin list filters
(dates use ``portal.admin_filters.DateRangeFilter``)."""

import django_filters
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gi_catalog.choices import (
    THAI_ORIGIN,
    ActivityKind,
    GICategory,
    OnboardingStatus,
    SellerKind,
)
from gi_catalog.models import (
    GIAuthorization,
    GIProduct,
    OnboardingApplication,
    PromotionActivity,
    Seller,
)
from portal.models import Province

MISSING_CHOICES = [("missing", _("missing")), ("present", _("present"))]
ORIGIN_CHOICES = [(THAI_ORIGIN, _("Thai GI")), ("foreign", _("Foreign GI"))]
VALIDITY_CHOICES = [
    ("current", _("valid today")),
    ("expired", _("expired")),
    ("future", _("not valid yet")),
]
YES_NO = [("yes", _("yes")), ("no", _("no"))]


def province_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="code",
        queryset=Province.objects.order_by("name_th"),
        label=_("province"),
    )


class GIProductFilterSet(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=GICategory.choices, label=_("category"))
    province = province_filter("provinces")
    registration_number = django_filters.ChoiceFilter(
        choices=MISSING_CHOICES, method="filter_registration", label=_("registration number")
    )
    origin = django_filters.ChoiceFilter(
        choices=ORIGIN_CHOICES, method="filter_origin", label=_("origin")
    )

    class Meta:
        model = GIProduct
        fields = []

    def filter_registration(self, queryset, name, value):
        missing = Q(registration_number="")
        return queryset.filter(missing if value == "missing" else ~missing)

    def filter_origin(self, queryset, name, value):
        thai = Q(origin=THAI_ORIGIN)
        return queryset.filter(thai if value == THAI_ORIGIN else ~thai)


class SellerFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SellerKind.choices, label=_("kind of seller"))
    province = province_filter("province")
    onboarding = django_filters.ChoiceFilter(
        choices=OnboardingStatus.choices,
        field_name="onboarding_applications__status",
        distinct=True,
        label=_("onboarding status"),
    )

    class Meta:
        model = Seller
        fields = []


class GIAuthorizationFilterSet(django_filters.FilterSet):
    validity = django_filters.ChoiceFilter(
        choices=VALIDITY_CHOICES, method="filter_validity", label=_("validity")
    )
    category = django_filters.ChoiceFilter(
        choices=GICategory.choices, field_name="product__category", label=_("category")
    )
    province = province_filter("seller__province")

    class Meta:
        model = GIAuthorization
        fields = []

    def filter_validity(self, queryset, name, value):
        today = timezone.localdate()
        if value == "future":
            return queryset.filter(valid_from__gt=today)
        if value == "expired":
            return queryset.filter(valid_until__lt=today)
        return queryset.filter(valid_from__lte=today).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class OnboardingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OnboardingStatus.choices, label=_("status"))
    documents = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_documents", label=_("documents complete")
    )
    province = province_filter("seller__province")

    class Meta:
        model = OnboardingApplication
        fields = []

    def filter_documents(self, queryset, name, value):
        complete = Q(has_identity_document=True, has_gi_certificate=True, has_bank_account=True)
        return queryset.filter(complete if value == "yes" else ~complete)


class PromotionActivityFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("kind"))
    category = django_filters.ChoiceFilter(
        choices=GICategory.choices,
        field_name="products__category",
        distinct=True,
        label=_("category"),
    )
    province = province_filter("seller__province")

    class Meta:
        model = PromotionActivity
        fields = []


def _filtered(filterset_class, data, queryset, request):
    filterset = filterset_class(data=data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise IncorrectLookupParameters(filterset.errors)
    return filterset.qs


class FilterSetChoiceFilter(admin.SimpleListFilter):
    """One choice filter of a FilterSet as an admin list filter (links, no SELECT DISTINCT)."""

    filterset_class: type[django_filters.FilterSet]

    def lookups(self, request, model_admin):
        form_field = self.filterset_class.base_filters[self.parameter_name].field
        return [(str(value), label) for value, label in form_field.choices if str(value) != ""]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        data = {self.parameter_name: self.value()}
        return _filtered(self.filterset_class, data, queryset, request)


def choice_filter(filterset_class, name: str):
    """An admin list filter class for ``filterset_class``'s filter ``name``."""
    return type(
        f"{filterset_class.__name__}_{name}",
        (FilterSetChoiceFilter,),
        {
            "filterset_class": filterset_class,
            "parameter_name": name,
            "title": filterset_class.base_filters[name].label,
        },
    )
