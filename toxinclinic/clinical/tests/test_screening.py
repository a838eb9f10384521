import pytest

from toxinclinic.clinical import screening
from toxinclinic.clinical.screening import ScreeningInput


def test_all_clear():
    items = screening.screen(ScreeningInput())
    assert {i.status for i in items} == {"pass"} and not screening.blocking(items)


def test_stops_and_concerns():
    items = {
        i.key: i
        for i in screening.screen(
            ScreeningInput(
                hypersensitivity_to_toxin=True,
                infection_at_site=True,
                anticoagulant_or_antiplatelet=True,
                pregnant=True,
            )
        )
    }
    assert items["hypersensitivity_to_toxin"].status == "stop"
    assert items["infection_at_site"].status == "stop"
    assert items["pregnant"].status == "concern" and items["pregnant"].needs_acknowledgement
    anticoag = items["anticoagulant_or_antiplatelet"].reason
    assert "prescriber's decision" in anticoag and "do not advise the patient to stop" in anticoag


def test_bad_input():
    with pytest.raises(ValueError, match="pregnant"):
        ScreeningInput(pregnant="yes")
