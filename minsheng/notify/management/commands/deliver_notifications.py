"""`manage.py deliver_notifications`: send the outbox until stopped (or once with --once).

A standalone sender for deployments that want one; the general `run_worker` can instead call
`minsheng.notify.delivery.deliver_due` on each tick or run `run_loop` in a thread. Any number
of these may run at once, on any number of machines.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser

from minsheng.notify import delivery


class Command(BaseCommand):
    help = "Deliver due notifications from the outbox (SMS, e-mail, in-app)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--limit", type=int, default=100, help="rows claimed per round")

    def handle(self, *args: object, **options: object) -> None:
        limit = int(options["limit"])  # type: ignore[call-overload]
        if options["once"]:
            sent = delivery.deliver_due(limit=limit)
            self.stdout.write(f"sent {sent}")
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()
            delivery.nudge()  # end the current wait now rather than at the next poll

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        delivery.run_loop(stop=stop, limit=limit)
