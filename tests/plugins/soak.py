"""The soak's seed and size (``tests/test_soak.py``), from pytest's options or the environment.

``--soak-seed N`` (or ``AXLE_SOAK_SEED=N``) replays a run; ``--soak-nights N`` (or
``AXLE_SOAK_NIGHTS=N``) is the nights per control mode and charger profile (and per charger of a
two-charger pair); ``--soak-debug`` (or ``AXLE_SOAK_DEBUG=1``) puts the integration's debug lines
in a failure's log. The options also reach runs whose environment is cleared
(``scripts/test-latest``); an option wins over a variable.
"""

from __future__ import annotations

from dataclasses import dataclass
import os

import pytest

SEED_ENV = "AXLE_SOAK_SEED"
NIGHTS_ENV = "AXLE_SOAK_NIGHTS"
DEBUG_ENV = "AXLE_SOAK_DEBUG"
DEFAULT_SEED = 20261125
# Small enough for CI (under two minutes for every mode and profile and the two-charger pairs),
# large enough to see each profile through a few nights with something happening in each.
DEFAULT_NIGHTS = 5


@dataclass(frozen=True, slots=True)
class SoakSize:
    """How the soak runs: its seed, the nights per case, and whether to log at debug level."""

    seed: int
    nights: int
    debug: bool

    @property
    def replay(self) -> str:
        """The options that replay this run."""
        return f"--soak-seed={self.seed} --soak-nights={self.nights}"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the soak's options."""
    group = parser.getgroup("axle_flex_lite soak")
    group.addoption("--soak-seed", type=int, default=None, help=f"the soak's seed ({SEED_ENV})")
    group.addoption(
        "--soak-nights", type=int, default=None, help=f"soak nights per case ({NIGHTS_ENV})"
    )
    group.addoption(
        "--soak-debug", action="store_true", default=False, help=f"debug log ({DEBUG_ENV})"
    )


@pytest.fixture
def soak_size(request: pytest.FixtureRequest) -> SoakSize:
    """The soak's seed and size: the options', else the environment's, else the defaults."""
    config = request.config
    seed = config.getoption("--soak-seed")
    nights = config.getoption("--soak-nights")
    return SoakSize(
        seed=int(os.environ.get(SEED_ENV, DEFAULT_SEED)) if seed is None else seed,
        nights=int(os.environ.get(NIGHTS_ENV, DEFAULT_NIGHTS)) if nights is None else nights,
        debug=bool(config.getoption("--soak-debug") or os.environ.get(DEBUG_ENV)),
    )
