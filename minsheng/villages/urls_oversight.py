"""The township's and the county's oversight of boards (/villages/oversight/)."""

urlpatterns: list = []  # type: ignore[type-arg]
