"""The console page (/console/) and the photos it shows: staff signed in with password + TOTP only."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alerts.console.selectors import console_allowed, console_photo

View = Callable[..., HttpResponseBase]


def staff_verified(view: View) -> View:
    """Signed in with the second factor (django-otp), with a console role; else the staff login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        if not user.is_authenticated or not verified:
            return redirect_to_login(request.get_full_path())
        if not console_allowed(user):
            return HttpResponseForbidden(_("Votre rôle ne donne pas accès à la console."))
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@require_GET
@staff_verified
def console_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/console.html",
        {
            "heartbeat_seconds": settings.CONSOLE_HEARTBEAT_SECONDS,
            "tile_url": settings.CONSOLE_TILE_URL,
            "tile_attribution": settings.CONSOLE_TILE_ATTRIBUTION,
        },
    )


@never_cache
@require_GET
@staff_verified
def console_photo_view(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    """Streams a photo (stored outside any public folder) after checking this console may see it."""
    user = request.user
    photo = console_photo(user=user, photo_id=photo_id)  # type: ignore[arg-type]
    if photo is None:
        raise Http404(_("Photo introuvable."))
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type or "image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
