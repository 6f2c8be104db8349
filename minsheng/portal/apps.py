from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PortalConfig(AppConfig):
    """The citizens' side (群众端): report, track and rate from a phone, without an account."""

    name = "minsheng.portal"
    label = "portal"
    verbose_name = "群众端"

    def ready(self) -> None:
        # The board's filters (board/places.py) are read from memory: dropped when a category
        # or a division changes in this process.
        from minsheng.org.models import Division
        from minsheng.portal.board.places import categories_changed, divisions_changed
        from minsheng.tickets.models import Category

        post_save.connect(categories_changed, sender=Category, dispatch_uid="board-topics-save")
        post_delete.connect(categories_changed, sender=Category, dispatch_uid="board-topics-del")
        post_save.connect(divisions_changed, sender=Division, dispatch_uid="board-places-save")
        post_delete.connect(divisions_changed, sender=Division, dispatch_uid="board-places-del")
        # Likes on the board count as public support in the hot-issue views (insight).
        from minsheng.insight.selectors import register_support
        from minsheng.portal.board.selectors import likes_of_tickets

        register_support(likes_of_tickets)
