"""Public pages of village boards, included at /h5/villages/ inside the portal's namespace."""

urlpatterns: list = []  # type: ignore[type-arg]
