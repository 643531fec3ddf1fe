from django.db import models
from django.utils.translation import gettext_lazy as _


class SubdivisionType(models.TextChoices):
    PROVINCE = "province", _("Province")
    METROPOLITAN = "metropolitan", _("Metropolitan administration")
    SPECIAL_CITY = "special_city", _("Special administrative city")


class WorkstreamCode(models.TextChoices):
    GI_PROMOTION = "gi_promotion", _("GI promotion")
    IP_PROTECTION = "ip_protection", _("IP protection")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")


class TargetMetric(models.TextChoices):
    """What a target measures. The dashboard computes the actual value for each metric."""

    GI_PRODUCTS_LISTED = "gi_products_listed", _("Thai GI products promoted")
    SELLERS_ONBOARDED = "sellers_onboarded", _("Sellers with a live shop")
    PROMOTION_ACTIVITIES = "promotion_activities", _("Promotion activities held")
    PROMOTION_GMV = "promotion_gmv", _("GMV from promotion activities (THB)")
    CASES_FORWARDED = "cases_forwarded", _("Takedown cases forwarded to the platform")
    REMOVAL_RATE = "removal_rate", _("Removal rate of decided cases (%)")
    DECIDED_WITHIN_3_WORKING_DAYS = (
        "decided_within_3wd",
        _("Cases decided within 3 working days (%)"),
    )
    PEOPLE_TRAINED = "people_trained", _("Staff who completed a course")
    TRAINING_SESSIONS = "training_sessions", _("Training sessions held")
    CONSULTATIONS = "consultations", _("Consultations given to entrepreneurs")
