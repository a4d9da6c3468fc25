"""What the video-protection register keeps, and for how long (the kernel's retention registry).

Requests name the requesting officer, extractions and destructions who received or destroyed footage: the
whole register goes VIDEO_REGISTER_RETENTION_DAYS after a request was received (6 years by default, the
limitation period of prosecutions for délits: the chain of custody must be provable while footage can
still be used in court). A request goes with its extractions and destructions (cascade). Cameras name
no one."""

from django.utils.translation import gettext_lazy as _

from alerts.video.models import FootageRequest
from backend.core.retention import register_retention


def register() -> None:
    """Called from VideoConfig.ready()."""
    register_retention(
        "video.register",
        label=_("Registre de vidéoprotection (demandes, extractions, destructions)"),
        model=FootageRequest,
        setting="VIDEO_REGISTER_RETENTION_DAYS",
        age_field="created_at",
    )
