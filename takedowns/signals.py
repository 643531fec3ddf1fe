"""Keep the repeat-infringer counts in step with item writes (admin, import, services)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from takedowns.models import InfringingItem


@receiver(pre_save, sender=InfringingItem, dispatch_uid="td_item_old_handle")
def _remember_old_handle(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._old_handle = ""
        return
    instance._old_handle = (
        InfringingItem.objects.filter(pk=instance.pk)
        .values_list("seller_handle", flat=True)
        .first()
        or ""
    )


@receiver(post_save, sender=InfringingItem, dispatch_uid="td_item_count_seller")
@receiver(post_delete, sender=InfringingItem, dispatch_uid="td_item_uncount_seller")
def _refresh_seller(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from takedowns.infringers import seller_counts_refresh

    handles = {instance.seller_handle, getattr(instance, "_old_handle", "")} - {""}
    if handles:
        seller_counts_refresh(handles=handles)
