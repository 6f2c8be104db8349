from django.apps import AppConfig


class VillagesConfig(AppConfig):
    """Village affairs (村务): boards and the village decision procedure."""

    name = "minsheng.villages"
    label = "villages"
    verbose_name = "村务"

    def ready(self) -> None:
        # Every imported village has its board at once, in the import's transaction.
        from minsheng.org.models import Division
        from minsheng.org.signals import divisions_imported
        from minsheng.villages.services.boards import boards_for_import

        divisions_imported.connect(boards_for_import, sender=Division, dispatch_uid="boards")
