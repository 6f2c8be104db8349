"""四议两公开: the village decision procedure's pages (/villages/matters/)."""

urlpatterns: list = []  # type: ignore[type-arg]
