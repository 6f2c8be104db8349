from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "minsheng.worker"
    verbose_name = "后台任务"
