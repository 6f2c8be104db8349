from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    """帮扶台账 and 劳动保障服务站 ("六个一"): people who need help, and who helps them."""

    name = "minsheng.assistance"
    label = "assistance"
    verbose_name = "帮扶台账"
