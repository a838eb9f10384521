"""Moved to ``toxinclinic.core.errors`` (services raise it; the API only turns it into a 422).

Kept as a re-export while the apps' imports move over; nothing new imports it.
"""

from toxinclinic.core.errors import FieldError

__all__ = ["FieldError"]
