"""知识库 routes; the project mounts them at /kb/ (minsheng/urls.py)."""

from django.urls import path

from minsheng.tickets import views_knowledge as views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("search/", views.search_fragment, name="search"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
]
