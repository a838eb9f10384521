"""React to the treatment room: a recorded session sets the patient's recall for its indication."""

from __future__ import annotations

from typing import Any

from toxinclinic.scheduling.services import set_recall


def on_session_recorded(sender: Any, session: Any, created: bool, **kwargs: Any) -> None:
    set_recall(session)
