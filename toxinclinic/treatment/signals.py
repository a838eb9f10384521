"""``session_recorded`` is sent inside the recording transaction after a signed visit's session is stored
(new or refreshed). Keyword arguments: ``session`` (``TreatmentSession``), ``created`` (bool).

Workflow apps that act on a session (safety schedules check-ins) listen here instead of to the visit,
so they read the session from this room and never from the visits app.
"""

from django.dispatch import Signal

session_recorded = Signal()
