"""How large a request body each route accepts, known before the body is read.

Every route accepts REQUEST_MAX_BYTES (settings, 1 MB by default: forms and API bodies).
A route that takes files declares, next to the validators that check those files, how many
bytes of files it takes on top of that, so the file limits have one source of truth:

    @upload_limit(MAX_LOGO_BYTES)              # a function view (outermost decorator)
    class MyView(View): upload_max_bytes = …   # a class-based view
    class MyAdmin(ModelAdmin): upload_max_bytes = …   # the admin's add and change pages

core.middleware.RequestSizeLimitMiddleware compares the request's Content-Length with
the route's cap and answers 413 before anything reads the body; a file a little over its own
limit still reaches its form, which says which limit it broke."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver

from .parsers import too_large_message

ATTRIBUTE = "upload_max_bytes"


def upload_limit(*file_limits: int) -> Callable:
    """Decorator: the view takes these files (their largest sizes in bytes), besides its
    ordinary fields."""

    def decorate(view: Callable) -> Callable:
        setattr(view, ATTRIBUTE, sum(file_limits))
        return view

    return decorate


def _upload_bytes(view: Callable) -> int:
    # Function views, then class-based views (Django's and DRF's `as_view()` keep the class),
    # then the admin's views (Django keeps the ModelAdmin on them as `model_admin`).
    for owner in (view, getattr(view, "view_class", None), getattr(view, "model_admin", None)):
        value = getattr(owner, ATTRIBUTE, None)
        if value:
            return value
    return 0


def route_request_cap(request: HttpRequest) -> int:
    """The largest body the route of `request` accepts, in bytes."""
    cap = settings.REQUEST_MAX_BYTES
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return cap
    return cap + _upload_bytes(match.func)


def too_large_response(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """413: JSON under /api/, else a short page in the layout."""
    message = too_large_message(limit)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
