"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver

api_urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns: list[URLPattern | URLResolver] = []
