"""Atom feeds of the board (订阅): the approved messages of one township or one first-level
category, newest first, each with its official reply once there is one — as the public pages
show them (masked; the township, never the address)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.portal.board import places, selectors
from minsheng.portal.board.selectors import BoardMessage


class _BoardFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    language = "zh-hans"
    description = gettext_lazy("12345 留言板：公开留言和答复")

    def items(self, obj: Any) -> list[BoardMessage]:
        raise NotImplementedError

    def link(self, obj: Any) -> str:
        raise NotImplementedError

    def item_title(self, item: BoardMessage) -> str:
        return item.title

    def item_link(self, item: BoardMessage) -> str:
        return reverse("portal:board_message", args=[item.id])

    def item_guid(self, item: BoardMessage) -> str:
        return f"minsheng-board-{item.id}"

    def item_description(self, item: BoardMessage) -> str:
        parts = [linebreaks(escape(item.text))]
        if item.reply:
            parts.append(f"<h3>{escape(_('答复'))}</h3>")
            parts.append(linebreaks(escape(item.reply)))
        return "".join(parts)

    def item_pubdate(self, item: BoardMessage) -> dt.datetime:
        return item.posted_at

    def item_updateddate(self, item: BoardMessage) -> dt.datetime:
        """A reply makes the entry new again for the feed's readers."""
        return item.replied_at or item.posted_at

    def item_categories(self, item: BoardMessage) -> list[str]:
        return [c for c in (item.topic, item.township) if c]


class TownshipFeed(_BoardFeed):
    def get_object(self, request: HttpRequest, code: str) -> places.Township:
        township = places.township(code)
        if township is None:
            raise Http404
        return township

    def title(self, obj: places.Township) -> str:
        return _("%(name)s的留言和答复") % {"name": obj.name}

    def link(self, obj: places.Township) -> str:
        return f"{reverse('portal:board')}?township={obj.code}"

    def items(self, obj: places.Township) -> list[BoardMessage]:
        return selectors.feed_messages(township=obj.code)


class CategoryFeed(_BoardFeed):
    def get_object(self, request: HttpRequest, pk: int) -> places.Topic:
        topic = places.topic(pk)
        if topic is None:
            raise Http404
        return topic

    def title(self, obj: places.Topic) -> str:
        return _("%(name)s类留言和答复") % {"name": obj.name}

    def link(self, obj: places.Topic) -> str:
        return f"{reverse('portal:board')}?topic={obj.id}"

    def items(self, obj: places.Topic) -> list[BoardMessage]:
        return selectors.feed_messages(topic=obj.id)
