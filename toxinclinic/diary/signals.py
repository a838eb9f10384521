"""``month_stored`` is sent inside the writing transaction after a diary month's stored counts are created
or changed (a day saved, a month recounted). Keyword arguments: ``patient_id`` (int), ``month`` (its
first day).

Rooms above the diary that keep facts derived from month counts (the treatment-cycle outcomes) listen
here, so the diary never imports them.
"""

from django.dispatch import Signal

month_stored = Signal()
