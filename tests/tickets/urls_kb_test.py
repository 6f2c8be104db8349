"""The project's URLs plus the knowledge base at /kb/, for tests written before minsheng/urls.py
mounts it. Once minsheng/urls.py includes the knowledge URLs this adds nothing."""

from django.urls import URLResolver, include, path

from minsheng.urls import urlpatterns as project_patterns


def _mounted() -> bool:
    return any(isinstance(p, URLResolver) and p.namespace == "knowledge" for p in project_patterns)


urlpatterns = list(project_patterns)
if not _mounted():
    urlpatterns.insert(0, path("kb/", include("minsheng.tickets.urls_knowledge")))
