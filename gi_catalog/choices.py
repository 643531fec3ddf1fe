from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.reference_data import country_names

THAI_ORIGIN = "thai"


class GICategory(models.TextChoices):
    AGRICULTURAL = "agricultural", _("Agricultural product")
    FOOD = "food", _("Food")
    BEVERAGE = "beverage", _("Beverage")
    HANDICRAFT = "handicraft", _("Handicraft")
    TEXTILE = "textile", _("Textile")
    OTHER = "other", _("Other")


class DatePrecision(models.TextChoices):
    """How much of a registration date the source gave."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class SellerKind(models.TextChoices):
    PRODUCER = "producer", _("Individual producer")
    COMMUNITY_ENTERPRISE = "community_enterprise", _("Community enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    COMPANY = "company", _("Company")


class OnboardingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    DOCUMENTS_VERIFIED = "documents_verified", _("Documents verified")
    SHOP_APPROVED = "shop_approved", _("Shop approved")
    LIVE = "live", _("Live")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: States after which an application is finished (a seller may then start a new one).
CLOSED_ONBOARDING_STATUSES = (OnboardingStatus.REJECTED, OnboardingStatus.WITHDRAWN)


class ActivityKind(models.TextChoices):
    SHORT_CLIP = "short_clip", _("Short clip")
    LIVE = "live", _("LIVE")
    CAMPAIGN = "campaign", _("Campaign")


def origin_choices() -> list[tuple[str, str]]:
    """A Thai GI, or a foreign GI protected in Thailand by its country ("foreign:FR")."""
    foreign = [(f"foreign:{code}", name) for code, name in country_names() if code != "TH"]
    return [(THAI_ORIGIN, _("Thai GI")), (_("Foreign GI protected in Thailand"), foreign)]
