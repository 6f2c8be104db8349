"""`manage.py serve`: the demo's single command — the web server and the background worker
(`manage.py run_worker`, minsheng/worker) beside it (embedded mode).

Production runs gunicorn and `manage.py run_worker` as separate services (docs/deployment.md);
this command exists so that `make run` needs nothing else.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from minsheng.assistance.crypto import require_pii_keys
from minsheng.env import require_explicit_key


class Command(BaseCommand):
    help = "Serve Minsheng on 127.0.0.1:PORT with gunicorn, with the worker embedded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: object, **options: object) -> None:
        # Refused here, before anything starts, rather than in each gunicorn worker.
        require_explicit_key(debug=settings.DEBUG)
        require_pii_keys(debug=settings.DEBUG)
        bind = f"{options['host']}:{options['port']}"
        commands: list[list[str]] = [
            [
                sys.executable,
                "-m",
                "gunicorn",
                "minsheng.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["web_workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                # Scrubs Open311 api_key values from the logged request lines.
                "--logger-class",
                "minsheng.open311.scrub.GunicornLogger",
            ]
        ]
        commands.append([sys.executable, "manage.py", "run_worker"])
        processes = [subprocess.Popen(cmd) for cmd in commands]  # noqa: S603 - our own argv
        self.stdout.write(f"民生已启动：http://{bind}/  （按 Ctrl+C 停止）")

        def stop(signum: int, frame: FrameType | None) -> None:
            for proc in processes:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # If either process dies, stop the other: a half-running demo is worse than none.
        while all(proc.poll() is None for proc in processes):
            time.sleep(0.5)
        stop(signal.SIGTERM, None)
        codes = [proc.wait(timeout=30) for proc in processes]
        if any(code not in (0, -signal.SIGTERM) for code in codes):
            sys.exit(1)
