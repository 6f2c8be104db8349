from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def area(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse("")


def township(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse("")
