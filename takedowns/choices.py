"""Every choice set of the takedowns app: models, services, filters, resources and tests use these."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DIP_REVIEW = "dip_review", _("DIP review")
    READY_TO_FORWARD = "ready_to_forward", _("Ready to forward")
    FORWARDED = "forwarded", _("Forwarded")
    UNDER_PLATFORM_REVIEW = "under_platform_review", _("Under platform review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    REMOVED = "removed", _("Removed")
    PARTIALLY_REMOVED = "partially_removed", _("Partially removed")
    NOT_REMOVED = "not_removed", _("Not removed")
    ALREADY_UNAVAILABLE = "already_unavailable", _("Already unavailable")
    APPEALED = "appealed", _("Appealed")
    REMOVAL_UPHELD = "removal_upheld", _("Removal upheld")
    REINSTATED = "reinstated", _("Reinstated")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Before a platform decision: the case may still be withdrawn.
PRE_DECISION_STATES = frozenset(
    {
        CaseState.DRAFT,
        CaseState.DIP_REVIEW,
        CaseState.READY_TO_FORWARD,
        CaseState.FORWARDED,
        CaseState.UNDER_PLATFORM_REVIEW,
        CaseState.INFO_REQUESTED,
    }
)
#: The platform's first decision on a report.
DECISION_STATES = frozenset(
    {
        CaseState.REMOVED,
        CaseState.PARTIALLY_REMOVED,
        CaseState.NOT_REMOVED,
        CaseState.ALREADY_UNAVAILABLE,
    }
)
#: A decision stands (nothing pending on the platform): the case may be closed.
DECIDED_STATES = DECISION_STATES | {CaseState.REMOVAL_UPHELD, CaseState.REINSTATED}
#: What the TikTok liaison may see: the case has reached the platform.
PLATFORM_VISIBLE_STATES = frozenset(
    {
        CaseState.FORWARDED,
        CaseState.UNDER_PLATFORM_REVIEW,
        CaseState.INFO_REQUESTED,
        CaseState.APPEALED,
        CaseState.CLOSED,
    }
    | DECIDED_STATES
)
#: States the liaison may find a case in: a withdrawn case only if it was forwarded first.
PLATFORM_FINDABLE_STATES = PLATFORM_VISIBLE_STATES | {CaseState.WITHDRAWN}
#: The SLA clock runs (it pauses while DIP answers an information request): a case in one of
#: these states past its ``sla_due_at`` is overdue.
SLA_RUNNING_STATES = frozenset({CaseState.FORWARDED, CaseState.UNDER_PLATFORM_REVIEW})
#: The platform's move next: the liaison's "awaiting my decision" queue.
PLATFORM_PENDING_STATES = frozenset(
    {CaseState.FORWARDED, CaseState.UNDER_PLATFORM_REVIEW, CaseState.APPEALED}
)
#: A case in one of these states still "holds" its URLs: a second report of one is a duplicate.
OPEN_STATES = frozenset(set(CaseState) - {CaseState.CLOSED, CaseState.WITHDRAWN})


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


#: Priorities the platform must decide within 24 hours; the others within 3 working days.
PRIORITIES_WITHIN_24H = frozenset({Priority.HIGH, Priority.URGENT})


class RightType(models.TextChoices):
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")
    GI = "gi", _("Geographical indication")
    DESIGN = "design", _("Design")
    PATENT = "patent", _("Patent")


class InfringementType(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit goods")
    TRADEMARK_MISUSE = "trademark_misuse", _("Trademark misuse")
    GI_MISUSE = "gi_misuse", _("Misuse of a GI name or logo")
    COPYRIGHT = "copyright", _("Copyright infringement")
    DESIGN = "design", _("Design infringement")
    PATENT = "patent", _("Patent infringement")
    OTHER = "other", _("Other")


class ItemKind(models.TextChoices):
    LISTING = "listing", _("Product listing")
    LIVE = "live", _("LIVE")
    VIDEO = "video", _("Video")
    SHOP = "shop", _("Shop")
    ACCOUNT = "account", _("Account")


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    REMOVED = "removed", _("Removed")
    NOT_REMOVED = "not_removed", _("Not removed")
    ALREADY_UNAVAILABLE = "already_unavailable", _("Already unavailable")
    REINSTATED = "reinstated", _("Reinstated")


class ReporterBasis(models.TextChoices):
    OWNER = "owner", _("Owner of the right")
    AUTHORIZATION_LETTER = "authorization_letter", _("Letter of authorization")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    #: DIP reports what its own monitoring found, under the MOU, for the right's owner.
    DIP_MONITORING = "dip_monitoring", _("DIP monitoring")


#: Reporting bases that act for someone else's right: a document with its validity dates is needed.
#: Every other basis reports for the right's own owner.
BASES_NEEDING_AUTHORIZATION = frozenset(
    {ReporterBasis.AUTHORIZATION_LETTER, ReporterBasis.POWER_OF_ATTORNEY}
)


class HolderKind(models.TextChoices):
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")
    GI_COMMUNITY = "gi_community", _("GI community or producer group")
    GOVERNMENT = "government", _("Government agency")


class ReasonUse(models.TextChoices):
    ANY = "any", _("Refusal or information request")
    REFUSAL = "refusal", _("Refusal")
    INFO_REQUEST = "info_request", _("Information request")


class EvidenceKind(models.TextChoices):
    SCREENSHOT = "screenshot", _("Screenshot")
    TEST_PURCHASE = "test_purchase", _("Test purchase")
    RECORDING = "recording", _("Screen recording")
    DOCUMENT = "document", _("Document")
    OTHER = "other", _("Other")


class SweepSurface(models.TextChoices):
    SEARCH = "search", _("Shop search")
    LIVE = "live", _("LIVE")
    VIDEO = "video", _("Videos")
    SHOP = "shop", _("Shop pages")
