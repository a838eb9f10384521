"""What demo steps share: the seeded RNG, the clinics, the staff and the patients made so far.

Steps run core first, then each app's demo.py (see core/plugins.py)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from rich.progress import Progress


@dataclass
class DemoContext:
    seed: int
    n_patients: int
    today: dt.date
    progress: Progress | None = None
    rng: random.Random = field(init=False)
    clinic: Any = None
    other_clinic: Any = None
    location: Any = None
    staff: dict[str, Any] = field(default_factory=dict)
    patient_ids: list[int] = field(default_factory=list)
    demo_patient: Any = None
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    #: Patient pk → headache days in the latest full diary month over the first (set by the diary's demo
    #: step, read by later steps such as the questionnaires, so they need not import the diary).
    diary_course: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def rng_for(self, name: str) -> random.Random:
        """An independent stream per step, so adding a step never changes another step's data."""
        return random.Random(f"{self.seed}:{name}")

    def task(self, description: str, total: int) -> Any:
        if self.progress is None:
            return None
        return self.progress.add_task(description, total=total)

    def advance(self, task: Any, n: int = 1) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task, n)
