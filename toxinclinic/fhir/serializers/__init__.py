"""FHIR R4 resources as plain dicts, one module per resource group. Each ``to_fhir(obj)`` takes a model
row (with what it needs already joined) and returns JSON-ready data; nothing here queries per row."""
