"""What apps above services add to its sessions, registered rather than imported (layers
point down). One hook today: the place of a session held at a site — spaces offers the
site's rooms, and holds the chosen one like a booking, so that a session and a booking can
never hold one room at once (issue 20).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionPlaces:
    """- `choices(site_id)`: the (id, label) pairs a session of that site may be held in;
    - `current(session)`: the id of the place the session holds, or None;
    - `hold(actor=, session=, place_id=)`: hold it (None: release it) inside the session's
      save; a clash raises core.errors.Conflict naming what holds the place;
    - `release(actor=, session=)`: free it (the session is cancelled)."""

    choices: Callable[[int], list]
    current: Callable[..., int | None]
    hold: Callable[..., None]
    release: Callable[..., None]


SESSION_PLACES: list[SessionPlaces] = []


def session_places_register(places: SessionPlaces) -> None:
    SESSION_PLACES.append(places)


def session_places() -> SessionPlaces | None:
    """The registered provider (at most one), or None: places are then free text only."""
    return SESSION_PLACES[0] if SESSION_PLACES else None
