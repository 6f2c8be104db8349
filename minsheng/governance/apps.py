from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The township's governance (议事会, 专项行动, 民生实事, 包村)."""

    name = "minsheng.governance"
    label = "governance"
    verbose_name = "乡镇治理"
