from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformTool(models.TextChoices):
    """The TikTok platform tool a course teaches."""

    SELLER_CENTER = "seller_center", _("TikTok Shop Seller Center")
    LIVE_TOOLS = "live_tools", _("LIVE tools")
    ANALYTICS = "analytics", _("Analytics")
    IPPC_REPORTING = "ippc_reporting", _("IPPC reporting")
    CONTENT_MONITORING = "content_monitoring", _("Content monitoring")
    OTHER = "other", _("Other")


class SessionMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("On site and online")


class Division(models.TextChoices):
    """Divisions of the Department of Intellectual Property a staff member belongs to."""

    SECRETARY = "secretary", _("Office of the Secretary")
    PATENT = "patent", _("Patent Office")
    TRADEMARK = "trademark", _("Trademark Office")
    COPYRIGHT = "copyright", _("Copyright Office")
    GI = "gi", _("Geographical Indication Division")
    PROMOTION = "promotion", _("IP Promotion and Development Division")
    ENFORCEMENT = "enforcement", _("IP Enforcement Division")
    LEGAL = "legal", _("Legal Affairs Division")
    INTERNATIONAL = "international", _("International Affairs Division")
    STRATEGY = "strategy", _("Strategy and Planning Division")
    ICT = "ict", _("Information and Communication Technology Centre")
    OTHER = "other", _("Other")


class ConsultationTopic(models.TextChoices):
    TRADEMARK = "trademark", _("Trademark")
    GI = "gi", _("Geographical indication")
    COPYRIGHT = "copyright", _("Copyright")
    PATENT_DESIGN = "patent_design", _("Patent or design")
    TIKTOK_SHOP_TOOLS = "tiktok_shop_tools", _("TikTok Shop tools")
    OTHER = "other", _("Other")


class ConsultationChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")
    ON_SITE_EVENT = "on_site_event", _("On-site event")
    LIVE_SESSION = "live_session", _("LIVE session")


class FollowUp(models.TextChoices):
    """What came of a consultation; an empty value means no follow-up yet."""

    TRADEMARK_FILED = "trademark_filed", _("Trademark application filed")
    GI_AUTHORIZATION_REQUESTED = "gi_authorization_requested", _("GI authorization requested")
    COPYRIGHT_RECORDED = "copyright_recorded", _("Copyright work recorded")
    PATENT_DESIGN_FILED = "patent_design_filed", _("Patent or design application filed")
    SELLER_ONBOARDED = "seller_onboarded", _("Seller onboarded to TikTok Shop")
    REFERRED = "referred", _("Referred to another agency")
    OTHER = "other", _("Other")
