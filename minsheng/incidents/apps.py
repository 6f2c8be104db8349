from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """重大突发事件: major incidents raised from tickets, resources mobilised, the situation log,
    broadcasts to the affected villages, the after-action summary (docs/incidents.md)."""

    name = "minsheng.incidents"
    label = "incidents"
    verbose_name = "重大突发事件"
