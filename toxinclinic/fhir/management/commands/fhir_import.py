"""Import a FHIR intake Bundle (JSON file) into a clinic: ``manage.py fhir_import --clinic NAME FILE``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from toxinclinic.accounts.models import Clinic
from toxinclinic.fhir.importer import ImportRefused, import_bundle


class Command(BaseCommand):
    help = "Create or update patients' intake from a FHIR transaction/collection Bundle."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--clinic", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        clinic = Clinic.objects.filter(name=opts["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic named {opts['clinic']!r}.")
        with open(opts["file"], encoding="utf-8") as fh:
            bundle = json.load(fh)
        try:
            result = import_bundle(bundle, clinic)
        except ImportRefused as exc:
            self.stderr.write(json.dumps(exc.outcome, indent=2))
            raise CommandError("The bundle was refused; nothing was stored.") from exc
        self.stdout.write(f"Imported {len(result.patients)} patients: {result.created}")
