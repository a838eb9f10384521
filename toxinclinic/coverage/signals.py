"""``authorization_changed(patient_id, clinic_id)``: an authorization was recorded or moved (the worklist
refreshes its row)."""

from django.dispatch import Signal

authorization_changed = Signal()
