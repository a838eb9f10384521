from datetime import date

import pytest

from toxinclinic.clinical import aftercare, recall


def test_recall_window():
    w = recall.recall_window(date(2026, 1, 1))
    assert (w.opens, w.due) == (date(2026, 3, 26), date(2026, 3, 26))
    assert not w.is_open(date(2026, 3, 25)) and w.is_open(date(2026, 3, 26))
    assert w.days_until_due(date(2026, 3, 25)) == 1
    assert recall.recall_window(date(2026, 1, 1), 90).opens == date(2026, 4, 1)
    with pytest.raises(ValueError, match="interval_days"):
        recall.recall_window(date(2026, 1, 1), 0)


def test_aftercare_text():
    t = aftercare.text()
    assert "Do not rub or massage" in t and "emergency" in t
    assert [i.key for i in aftercare.AFTERCARE if i.urgent] == ["emergency"]
