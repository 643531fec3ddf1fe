"""The stored normal forms of item and finding URLs recomputed (the normal form now also folds
``//``, dot segments, a handle's case, ``m.tiktok.com`` and language and region parameters), and
evidence unlinked from an item of another case (an evidence's item is one of its own case's).

Where two open items (or two findings of one sweep) now share a normal form, the earlier keeps it
and the later keeps its old value, so the unique index holds: the same listing stays open in both
cases, as it was, and the next change of the later item names the earlier case as a duplicate.
"""

from django.db import migrations
from django.db.models import F

from takedowns.normalize import normalize_url

CHUNK = 2000


def _changed(model, *extra):
    """(pk, new normal form, *extra) of the rows whose stored normal form is not the current one,
    in pk order (read a chunk at a time)."""
    rows = model.objects.order_by("pk").values_list("pk", "url", "normalized_url", *extra)
    for pk, url, stored, *rest in rows.iterator(chunk_size=CHUNK):
        try:
            new = normalize_url(url)
        except ValueError:
            continue  # not a web address: left as it was
        if new != stored:
            yield pk, new, *rest


def _held(model, changes, key_of, **scope):
    """The unique keys (``key_of`` values, normal form) held by the rows in ``scope`` that keep
    their stored normal form, among the normal forms ``changes`` bring."""
    changed_pks = {pk for pk, _new, _key in changes}
    wanted = sorted({new for _pk, new, key in changes if key is not None})
    held = set()
    for start in range(0, len(wanted), CHUNK):
        rows = model.objects.filter(normalized_url__in=wanted[start : start + CHUNK], **scope)
        for row in rows.only("pk", "normalized_url", *key_of):
            if row.pk not in changed_pks:
                held.add((tuple(getattr(row, name) for name in key_of), row.normalized_url))
    return held


def _apply(model, changes, held):
    """Write the new normal forms; a row whose unique key is taken keeps its old value."""
    updates = []
    for pk, new, key in changes:
        if key is not None:
            if (key, new) in held:
                continue
            held.add((key, new))
        updates.append(model(pk=pk, normalized_url=new))
    model.objects.bulk_update(updates, ["normalized_url"], batch_size=CHUNK)


def recompute_item_urls(apps, schema_editor):
    item_model = apps.get_model("takedowns", "InfringingItem")
    changes = [
        (pk, new, () if is_open else None)  # only open items hold their URL
        for pk, new, is_open in _changed(item_model, "is_open")
    ]
    held = _held(item_model, changes, (), is_open=True)
    _apply(item_model, changes, held)


def recompute_finding_urls(apps, schema_editor):
    finding_model = apps.get_model("takedowns", "SweepFinding")
    changes = [
        (pk, new, (sweep_id,)) for pk, new, sweep_id in _changed(finding_model, "sweep_id")
    ]
    held = _held(finding_model, changes, ("sweep_id",))
    _apply(finding_model, changes, held)


def unlink_items_of_other_cases(apps, schema_editor):
    evidence_model = apps.get_model("takedowns", "Evidence")
    evidence_model.objects.filter(item__isnull=False).exclude(item__case_id=F("case_id")).update(
        item=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("takedowns", "0010_case_summary_en"),
    ]

    operations = [
        migrations.RunPython(recompute_item_urls, migrations.RunPython.noop),
        migrations.RunPython(recompute_finding_urls, migrations.RunPython.noop),
        migrations.RunPython(unlink_items_of_other_cases, migrations.RunPython.noop),
    ]
