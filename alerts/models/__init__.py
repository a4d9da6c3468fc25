"""The models of the observations domain (app label `alerts`), one module per noun:

- events.py: Event, EventTarget (what consoles and clients are told, replayed on reconnection)
- categories.py: Category
- agencies.py: Agency, RoutingRule
- commune_settings.py: CommuneAlertSettings
- observations.py: Channel, ReferenceCounter, Observation (its Status and TRANSITIONS), ObservationAddition,
  ObservationPhoto, ObservationTransition
- dispatch.py: Dispatch (its Status and Outcome), DispatchNote
- senders.py: SenderStanding
- notifications.py: Notification
- deliveries.py: ObservationDelivery
- read_log.py: ObservationRead
- agency_tokens.py: AgencyToken (and AgencyTokenPrincipal, who a request with one is)
- emergency.py: EmergencyActivation, EmergencyRenewal, EmergencyRosterMember, EmergencyCallout,
  EmergencyLogEntry (the emergency watch cell's life)

Every name is re-exported here, so `from alerts.models import Observation` reads as before; code inside the
package imports from the module that defines a name. The imports below keep the models' original order."""

# isort: off
from alerts.models.events import Event, EventTarget
from alerts.models.categories import Category
from alerts.models.agencies import Agency, RoutingRule
from alerts.models.commune_settings import CommuneAlertSettings
from alerts.models.observations import (
    Channel,
    Observation,
    ObservationAddition,
    ObservationPhoto,
    ObservationTransition,
    ReferenceCounter,
)

# Migration 0002 names the photos' upload_to as alerts.models._photo_path.
from alerts.models.observations import _photo_path as _photo_path
from alerts.models.dispatch import Dispatch, DispatchNote
from alerts.models.senders import SenderStanding
from alerts.models.notifications import Notification
from alerts.models.deliveries import ObservationDelivery
from alerts.models.read_log import ObservationRead
from alerts.models.agency_tokens import AgencyToken, AgencyTokenPrincipal
from alerts.models.emergency import (
    EmergencyActivation,
    EmergencyCallout,
    EmergencyLogEntry,
    EmergencyRenewal,
    EmergencyRosterMember,
)
# isort: on

__all__ = [
    "Agency",
    "AgencyToken",
    "AgencyTokenPrincipal",
    "Category",
    "Channel",
    "CommuneAlertSettings",
    "Dispatch",
    "DispatchNote",
    "EmergencyActivation",
    "EmergencyCallout",
    "EmergencyLogEntry",
    "EmergencyRenewal",
    "EmergencyRosterMember",
    "Event",
    "EventTarget",
    "Notification",
    "Observation",
    "ObservationAddition",
    "ObservationDelivery",
    "ObservationPhoto",
    "ObservationRead",
    "ObservationTransition",
    "ReferenceCounter",
    "RoutingRule",
    "SenderStanding",
]
