"""Events that cross workflow apps, so an app reacts without importing another's models.

``visit_signed`` is sent by the visits app once a visit's note is signed, inside the signing transaction
(so what receivers store commits with the signature or not at all; a receiver that raises refuses the
signing). Keyword arguments:

- ``visit_id``: the visit's public UUID (str)
- ``patient``: the ``patients.Patient`` instance
- ``clinic_id``: int
- ``injected_on``: ``datetime.date`` of the injections
- ``product``: engine product key (``botox`` …); units are that product's units
- ``indication``: ``chronic_migraine`` | ``cervical_dystonia``
- ``total_units``: float, U of ``product``
- ``sites``: list of ``{"muscle", "side", "units"}`` dicts
- ``signed_by``: the clinician ``User``

Receivers (check-ins, recall, patient dashboard) store what they need from it.
"""

from django.dispatch import Signal

visit_signed = Signal()
