from typing import Any

from rest_framework import serializers

from backend.territory.models import Sector


def sector_as_feature(sector: Sector) -> dict[str, Any]:
    """A sector as a GeoJSON Feature (adjacent sectors prefetched by the selector)."""
    return {
        "type": "Feature",
        "id": sector.pk,  # unique across communes (slugs are unique within one)
        "geometry": sector.polygon,
        "properties": {
            "id": sector.pk,
            "slug": sector.slug,
            "name": sector.name,
            "commune": sector.commune.slug,
            "adjacent": sorted(neighbour.slug for neighbour in sector.adjacent.all()),
        },
    }


class SectorBriefSerializer(serializers.Serializer):
    """A sector as the apps' payloads name it (observations, referents, shops)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
