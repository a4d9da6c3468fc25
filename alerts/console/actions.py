"""Actions sent by the console over its socket: each one calls the same service as the REST API.

A message is `{"action": "<name>", "request_id": "<client id>", ...fields}`; the answer is
`{"type": "ack", "request_id", "action", "result"}` or `{"type": "error", "request_id", "action",
"detail": "<French>", "errors": {"<field>": ["<French>"]}}` (the REST API's error shape).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from alerts import access
from alerts import services as alerts_services
from alerts.apis.emergency_serializers import EmergencyActivationInputSerializer
from alerts.broadcasts.serializers import BroadcastInputSerializer
from alerts.broadcasts.services import broadcast_create
from alerts.emergency_selectors import activation_readable
from alerts.models import Dispatch, Observation, ObservationAddition
from alerts.serializers import (
    AdditionReviewInputSerializer,
    ApproveInputSerializer,
    AssignInputSerializer,
    CloseInputSerializer,
    EmergencyModeInputSerializer,
    HandoverInputSerializer,
    MergeInputSerializer,
    NoteInputSerializer,
    RejectInputSerializer,
)
from backend.accounts.models import User
from backend.core.api import validated
from backend.core.errors import ApplicationError, NotFound
from backend.core.exceptions import error_body


class _ObservationInput(serializers.Serializer):
    observation = serializers.IntegerField(min_value=1)


class _AdditionInput(serializers.Serializer):
    addition = serializers.IntegerField(min_value=1)


class _DispatchInput(serializers.Serializer):
    dispatch = serializers.IntegerField(min_value=1)


# The REST API's input serializers, with the id that the URL carries there.
class _ApproveInput(ApproveInputSerializer, _ObservationInput):
    pass


class _RejectInput(RejectInputSerializer, _ObservationInput):
    pass


class _MergeInput(MergeInputSerializer, _ObservationInput):
    pass


class _AdditionApproveInput(AdditionReviewInputSerializer, _AdditionInput):
    pass


class _AssignInput(AssignInputSerializer, _DispatchInput):
    pass


class _NoteInput(NoteInputSerializer, _DispatchInput):
    pass


class _HandoverInput(HandoverInputSerializer, _DispatchInput):
    pass


class _CloseInput(CloseInputSerializer, _DispatchInput):
    pass


def _observation(user: User, observation_id: int) -> Observation:
    """An observation this user moderates (moderation actions only)."""
    observation = access.observations_moderated(user).filter(pk=observation_id).first()
    if observation is None:
        raise NotFound(_("Signalement introuvable."), field="observation")
    return observation


def _addition(user: User, addition_id: int) -> ObservationAddition:
    """A follow-up of an observation this user moderates."""
    addition = (
        ObservationAddition.objects.select_related("observation")
        .filter(pk=addition_id, observation__in=access.observations_moderated(user))
        .first()
    )
    if addition is None:
        raise NotFound(_("Complément introuvable."), field="addition")
    return addition


def _dispatch(user: User, dispatch_id: int) -> Dispatch:
    """A dispatch this user works (one query: the policy's scope as a subquery)."""
    dispatch = access.dispatches_policed(user).select_related("agency", "observation").filter(pk=dispatch_id)
    found = dispatch.first()
    if found is None:
        raise NotFound(_("Transmission introuvable."), field="dispatch")
    return found


def _claim(user: User, data: dict[str, Any]) -> dict[str, Any]:
    observation = alerts_services.observation_claim(
        observation=_observation(user, data["observation"]), actor=user
    )
    return {"observation": observation.pk}


def _release(user: User, data: dict[str, Any]) -> dict[str, Any]:
    observation = alerts_services.observation_release(
        observation=_observation(user, data["observation"]), actor=user
    )
    return {"observation": observation.pk}


def _approve(user: User, data: dict[str, Any]) -> dict[str, Any]:
    observation = alerts_services.observation_approve(
        observation=_observation(user, data["observation"]),
        actor=user,
        category=data.get("category") or None,
        redacted_description=data.get("redacted_description"),
        redacted_place=data.get("redacted_place"),
        agencies=data.get("agencies") or None,
    )
    return {"observation": observation.pk, "status": observation.status}


def _reject(user: User, data: dict[str, Any]) -> dict[str, Any]:
    observation = alerts_services.observation_reject(
        observation=_observation(user, data["observation"]),
        actor=user,
        reason=data["reason"],
        note=data.get("note", ""),
    )
    return {"observation": observation.pk, "status": observation.status}


def _merge(user: User, data: dict[str, Any]) -> dict[str, Any]:
    observation = alerts_services.observation_merge(
        observation=_observation(user, data["observation"]), actor=user, into=data["into"]
    )
    return {"observation": observation.pk, "status": observation.status}


def _addition_approve(user: User, data: dict[str, Any]) -> dict[str, Any]:
    addition = alerts_services.observation_addition_review(
        addition=_addition(user, data["addition"]),
        actor=user,
        approve=True,
        redacted_text=data.get("redacted_text"),
    )
    return {"addition": addition.pk, "status": addition.status}


def _addition_reject(user: User, data: dict[str, Any]) -> dict[str, Any]:
    addition = alerts_services.observation_addition_review(
        addition=_addition(user, data["addition"]), actor=user, approve=False
    )
    return {"addition": addition.pk, "status": addition.status}


def _acknowledge(user: User, data: dict[str, Any]) -> dict[str, Any]:
    dispatch = alerts_services.dispatch_acknowledge(dispatch=_dispatch(user, data["dispatch"]), actor=user)
    return {"dispatch": dispatch.pk, "status": dispatch.status}


def _assign(user: User, data: dict[str, Any]) -> dict[str, Any]:
    dispatch = alerts_services.dispatch_assign(
        dispatch=_dispatch(user, data["dispatch"]), actor=user, assignee=data["assignee"]
    )
    return {"dispatch": dispatch.pk, "status": dispatch.status}


def _note(user: User, data: dict[str, Any]) -> dict[str, Any]:
    note = alerts_services.dispatch_add_note(
        dispatch=_dispatch(user, data["dispatch"]), actor=user, text=data["text"]
    )
    return {"dispatch": note.dispatch_id, "note": note.pk}


def _handover(user: User, data: dict[str, Any]) -> dict[str, Any]:
    new = alerts_services.dispatch_handover(
        dispatch=_dispatch(user, data["dispatch"]), actor=user, agency=data["agency"], note=data["note"]
    )
    return {"dispatch": data["dispatch"], "new_dispatch": new.pk}


def _close(user: User, data: dict[str, Any]) -> dict[str, Any]:
    dispatch = alerts_services.dispatch_close(
        dispatch=_dispatch(user, data["dispatch"]), actor=user, outcome=data["outcome"]
    )
    return {"dispatch": dispatch.pk, "status": dispatch.status}


def _emergency(user: User, data: dict[str, Any]) -> dict[str, Any]:
    if user.commune is None:
        raise NotFound(_("Vous n'êtes rattaché à aucune commune."))
    row = alerts_services.emergency_mode_set(
        commune=user.commune,
        actor=user,
        active=data["active"],
        categories=data.get("categories") or [],
        reason=data["reason"],
    )
    return {"active": row.emergency_active}


def _emergency_activate(user: User, data: dict[str, Any]) -> dict[str, Any]:
    if user.commune is None:
        raise NotFound(_("Vous n'êtes rattaché à aucune commune."))
    activation = alerts_services.emergency_activate(commune=user.commune, actor=user, **data)
    return {"activation": activation.pk}


class _EmergencyConfirmInput(serializers.Serializer):
    activation = serializers.IntegerField()


def _emergency_confirm(user: User, data: dict[str, Any]) -> dict[str, Any]:
    activation = activation_readable(user=user, activation_id=data["activation"])
    if activation is None:
        raise NotFound(_("Activation introuvable."))
    alerts_services.emergency_confirm(activation=activation, user=user, via="console")
    return {"activation": activation.pk}


def _broadcast(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Starts a broadcast through alerts.broadcasts' service, the same as its REST API."""
    broadcast = broadcast_create(actor=user, **data)
    return {"broadcast": broadcast.pk, "state": broadcast.state}


Handler = Callable[[User, dict[str, Any]], dict[str, Any]]

ACTIONS: dict[str, tuple[type[serializers.Serializer], Handler]] = {
    "claim": (_ObservationInput, _claim),
    "release": (_ObservationInput, _release),
    "approve": (_ApproveInput, _approve),
    "reject": (_RejectInput, _reject),
    "merge": (_MergeInput, _merge),
    "addition_approve": (_AdditionApproveInput, _addition_approve),
    "addition_reject": (_AdditionInput, _addition_reject),
    "acknowledge": (_DispatchInput, _acknowledge),
    "assign": (_AssignInput, _assign),
    "note": (_NoteInput, _note),
    "handover": (_HandoverInput, _handover),
    "close": (_CloseInput, _close),
    "emergency": (EmergencyModeInputSerializer, _emergency),
    "emergency_activate": (EmergencyActivationInputSerializer, _emergency_activate),
    "emergency_confirm": (_EmergencyConfirmInput, _emergency_confirm),
    "broadcast": (BroadcastInputSerializer, _broadcast),
}


def _error(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"type": "error", "detail": detail, "errors": errors or {}}


def console_action_run(*, user: User, message: dict[str, Any]) -> dict[str, Any]:
    """Validates and runs one action message; returns the ack or the error to send back."""
    name = message.get("action")
    reply: dict[str, Any]
    if name not in ACTIONS:
        reply = _error(
            _("Action inconnue : « action » doit valoir l'une de %(names)s.")
            % {"names": ", ".join(["replay", "ping", *ACTIONS])},
            {"action": [_("Action inconnue.")]},
        )
    else:
        serializer, handler = ACTIONS[str(name)]
        try:
            result = handler(user, validated(serializer, message))
        except (ApplicationError, ValidationError, DjangoValidationError) as exc:
            reply = {"type": "error", **(error_body(exc) or {})}
        except PermissionDenied:
            reply = _error(_("Votre rôle ne permet pas cette action."))
        else:
            reply = {"type": "ack", "result": result}
    reply["action"] = name
    reply["request_id"] = message.get("request_id")
    return reply
