from django.core.management.base import BaseCommand, CommandParser

from minsheng.worker.loop import Worker


class Command(BaseCommand):
    help = "Run the background worker: deadline sweeps, daily jobs, notification delivery."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--idle", type=float, default=5.0, help="seconds to sleep when idle")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: object, **options: object) -> None:
        worker = Worker(idle_seconds=float(str(options["idle"])), batch=int(str(options["batch"])))
        if options["once"]:
            done = worker.run_once()
            self.stdout.write(f"本轮处理 {done} 项。")
            return
        worker.install_signal_handlers()
        self.stdout.write("后台任务已启动（Ctrl+C 或 SIGTERM 停止）。")
        worker.run()
