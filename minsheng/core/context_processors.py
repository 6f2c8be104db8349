from django.http import HttpRequest

from minsheng.core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": nav_for(user, request.path)}
