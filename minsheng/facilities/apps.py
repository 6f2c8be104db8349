from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    """公共设施: toilets, city books, gardens and community centres, with keepers and upkeep."""

    name = "minsheng.facilities"
    label = "facilities"
    verbose_name = "公共设施"
