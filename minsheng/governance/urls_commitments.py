"""commitments pages."""

urlpatterns: list = []  # type: ignore[type-arg]
