"""The four roles of the MOU portal as Django groups.

Each app's ``AppConfig`` declares ``role_permissions``: ``{role: {model_name: (action, ...)}}``, where
an action is ``view``/``add``/``change``/``delete`` or a custom permission codename of that model.
``sync_roles()`` makes every group hold exactly what the apps declare, so running it again changes
nothing and a permission removed from a declaration is removed from the group.
"""

from django.apps import apps

OFFICER = "DIP Officer"
SUPERVISOR = "DIP Supervisor"
LIAISON = "TikTok Liaison"
MANAGER = "Manager"
ROLES = (OFFICER, SUPERVISOR, LIAISON, MANAGER)
DIP_ROLES = frozenset({OFFICER, SUPERVISOR})

#: The language each kind of user works in unless they pick another with the header's switch.
DIP_LANGUAGE = "th"
PLATFORM_LANGUAGE = "en"

DEFAULT_ACTIONS = ("view", "add", "change", "delete")


def declared_permissions() -> dict[str, set[tuple[str, str]]]:
    """Role -> set of (app_label, codename), gathered from every installed app."""
    wanted: dict[str, set[tuple[str, str]]] = {role: set() for role in ROLES}
    for config in apps.get_app_configs():
        for role, models in getattr(config, "role_permissions", {}).items():
            for model_name, actions in models.items():
                config.get_model(model_name)  # fail loudly on a typo
                for action in actions:
                    codename = f"{action}_{model_name}" if action in DEFAULT_ACTIONS else action
                    wanted[role].add((config.label, codename))
    return wanted


def sync_roles() -> dict[str, int]:
    """Create the groups and set their permissions; returns the permission count per role."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    counts = {}
    for role, perms in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        found = list(
            Permission.objects.filter(
                content_type__app_label__in={app for app, _ in perms},
                codename__in={codename for _, codename in perms},
            ).select_related("content_type")
        )
        found = [p for p in found if (p.content_type.app_label, p.codename) in perms]
        missing = perms - {(p.content_type.app_label, p.codename) for p in found}
        if missing:
            raise LookupError(f"{role}: unknown permissions {sorted(missing)} (run migrate first)")
        group.permissions.set(found)
        counts[role] = len(found)
    return counts


def user_roles(user) -> set[str]:
    """The role groups of ``user``, read once per user object (like Django's permission cache)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_portal_roles"):
        user._portal_roles = set(user.groups.values_list("name", flat=True))
    return user._portal_roles


def is_platform_user(user) -> bool:
    """TikTok Shop's liaison: in the Liaison group and in no DIP role (a DIP role wins).

    The one answer to "is this user the platform": what a liaison may see and do follows from it
    (cases and events from forwarding on, the API, the admin's platform fields, the language).
    """
    if not user.is_authenticated or user.is_superuser:
        return False
    roles = user_roles(user)
    return LIAISON in roles and not roles & DIP_ROLES


def preferred_language(user) -> str | None:
    """The working language of a signed-in user's role; None for a visitor (the browser decides)."""
    if not user.is_authenticated:
        return None
    return PLATFORM_LANGUAGE if is_platform_user(user) else DIP_LANGUAGE
