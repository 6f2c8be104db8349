from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "minsheng.deadlines"
    label = "deadlines"
    verbose_name = _("时限与日历")

    def ready(self) -> None:
        # The per-process deadline policies and category parents (deadlines/policy.py) are
        # dropped when a policy or a category changes.
        from minsheng.deadlines.models import DeadlinePolicy
        from minsheng.deadlines.policy import categories_changed, policies_changed
        from minsheng.tickets.models import Category

        post_save.connect(policies_changed, sender=DeadlinePolicy, dispatch_uid="policy-save")
        post_delete.connect(policies_changed, sender=DeadlinePolicy, dispatch_uid="policy-del")
        post_save.connect(categories_changed, sender=Category, dispatch_uid="parents-save")
        post_delete.connect(categories_changed, sender=Category, dispatch_uid="parents-del")
