"""``month_stored`` is sent inside the writing transaction after a diary month's stored counts are created
or changed (a day saved, a month recounted). Keyword arguments: ``patient_id`` (int), ``month`` (its
first day), ``counted`` (bool: the month is or was *sufficient*, so a figure summed over sufficient
months may have changed; False when it stays insufficient, as while most of a month is being filled in).

Rooms above the diary that keep facts derived from month counts (the treatment-cycle outcomes) listen
here, so the diary never imports them.
"""

from django.dispatch import Signal

month_stored = Signal()
