"""React to the treatment room: a recorded session sets the patient's recall for its indication, and the
patient's injection appointment that day becomes attended (the signed visit is the proof they came)."""

from __future__ import annotations

from typing import Any

from toxinclinic.scheduling.attendance import attend_for_session
from toxinclinic.scheduling.services import set_recall


def on_session_recorded(sender: Any, session: Any, created: bool, **kwargs: Any) -> None:
    set_recall(session)
    attend_for_session(session)
