"""Issue 23, "No reach into private attributes": what the project uses below the public API of
Django, django-import-export, tablib and Django REST framework is in ``portal.internals`` only,
and a library upgrade that changes any of it fails here, naming it."""

import ast
import importlib
import inspect
import pkgutil
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.db.models import signals
from django.http import HttpRequest
from rest_framework.request import Request

from portal import internals
from portal.models import Target

PACKAGES = ("portal", "gi_catalog", "takedowns", "training")
INTERNALS = Path(internals.__file__)
#: Underscored names the libraries document as their public API, with where.
DOCUMENTED = {
    "_meta": "Django: the Model _meta API",
    "_state": "Django: Model._state, in the model instance reference",
    "_default_manager": "Django: Model._default_manager",
    "_base_manager": "Django: Model._base_manager",
    "_change_reason": "django-simple-history: the change reason of a save",
    "_history_user": "django-simple-history: the user of a save",
}


def project_files():
    root = Path(settings.BASE_DIR)
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _is_private(name: str) -> bool:
    """``_name``: not a dunder, nor an enum's documented ``_sunder_`` name."""
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


def own_and_used_names():
    """(names the project defines, {name: [where it is read]}) over every module."""
    own, used = set(), {}
    for path in project_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif isinstance(node, ast.keyword) and node.arg:
                own.add(node.arg)  # an annotation's name: .annotate(_sessions=...)
            elif isinstance(node, ast.Attribute) and _is_private(node.attr):
                if isinstance(node.ctx, ast.Store):
                    own.add(node.attr)
                elif path != INTERNALS:
                    where = f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"
                    used.setdefault(node.attr, []).append(where)
    return own, used


def test_no_reach_into_private_attributes_outside_portal_internals():
    own, used = own_and_used_names()
    foreign = {
        name: places for name, places in used.items() if name not in own and name not in DOCUMENTED
    }
    assert not foreign, f"private attributes of a library used outside portal.internals: {foreign}"


def project_classes():
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if ".migrations" in info.name or info.name.endswith(".wsgi"):
                continue
            module = importlib.import_module(info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == info.name:
                    yield cls


def body_names(cls) -> set[str]:
    """The names a class's own source defines (not those its metaclass adds); none for a class
    made at run time (simple-history's historical models)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in tree.body[0].body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    names.add(target.id)
    return names


def test_no_override_of_a_library_private_method_outside_portal_internals():
    overrides = []
    for cls in project_classes():
        if cls.__module__ == internals.__name__:
            continue
        for name in body_names(cls):
            if not _is_private(name) or name in DOCUMENTED:
                continue
            for base in cls.__mro__[1:]:
                if not base.__module__.startswith(PACKAGES) and hasattr(base, name):
                    overrides.append(f"{cls.__module__}.{cls.__qualname__}.{name} ({base})")
                    break
    assert not overrides, overrides


INSTANCES = {
    "AdminSite": lambda: AdminSite(name="check"),
    "QuerySet": lambda: Target.objects.values_list("id", "name"),
    "Request": lambda: Request(HttpRequest()),
    "BaseTzLoader": lambda: BaseTzLoader,  # a class attribute
}


@pytest.mark.parametrize(
    "module, owner, attribute, parameters",
    internals.RELIED_ON,
    ids=[f"{owner}.{attribute}" for _m, owner, attribute, _p in internals.RELIED_ON],
)
def test_no_reach_into_private_attributes_what_the_internals_rely_on_exists(
    module, owner, attribute, parameters
):
    cls = getattr(importlib.import_module(module), owner)
    if parameters is None:
        assert hasattr(INSTANCES[owner](), attribute), f"{owner}().{attribute} is gone"
        return
    member = inspect.getattr_static(cls, attribute, None)
    assert member is not None, f"{owner}.{attribute} is gone"
    assert tuple(inspect.signature(getattr(cls, attribute)).parameters) == parameters


def test_no_reach_into_private_attributes_the_values_still_mean_the_same(db):
    """The attribute values the internals read have the shape they read."""
    assert internals.values_list_names(Target.objects.values_list("id", "name")) == ("id", "name")
    assert Target in internals.registered_model_admins(admin.site)
    request = HttpRequest()
    assert internals.django_request(Request(request)) is request
    receivers = signals.post_save._live_receivers(Target)
    assert isinstance(receivers, tuple) and len(receivers) == 2  # (sync, async) receivers


def test_no_reach_into_private_attributes_weasyprint_hands_every_glyph_to_to_unicode():
    """``record_glyph_clusters`` relies on WeasyPrint asking a font's ``to_unicode`` for each
    glyph it draws, with the cluster's text on its last glyph and an empty one on the others."""
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string='<p lang="th">น้ำ น้ำ</p>').render()
    internals.record_glyph_clusters(document)
    document.write_pdf()
    drawn = [
        (len(cluster), text)
        for font in document.fonts.values()
        for cluster, text in font.to_unicode.drawn
    ]
    assert drawn.count((3, "\u0e49\u0e33")) == 2, drawn  # NIKHAHIT, MAI THO, SARA AA: "้ำ"
