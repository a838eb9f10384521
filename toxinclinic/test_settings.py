"""Settings for the test suite: development mode (no production secret needed), same everything else."""

import os

os.environ.setdefault("TOXINCLINIC_DEV", "1")

from toxinclinic.settings import *  # noqa: F403
