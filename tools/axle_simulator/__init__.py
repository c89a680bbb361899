"""A small aiohttp server that behaves like Axle Energy's partner API (development and tests only).

It stands in for Axle, so it never imports from the integration it is used to test.
"""

from .app import create_app
from .bodies import SIMULATOR_KEY
from .errors import ApiError
from .records import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Asset,
    Balance,
    FailureKind,
    Fault,
    PauseMode,
    RecordedRequest,
    Site,
    mpan_is_valid,
)
from .state import AxleSimulator

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "SIMULATOR_KEY",
    "ApiError",
    "Asset",
    "AxleSimulator",
    "Balance",
    "FailureKind",
    "Fault",
    "PauseMode",
    "RecordedRequest",
    "Site",
    "create_app",
    "mpan_is_valid",
]
