"""Schemathesis over the API and the FHIR interactions, one run per role (``make fuzz``; ``fuzz.run``)."""
