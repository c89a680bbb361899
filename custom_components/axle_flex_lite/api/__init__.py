"""Client for Axle Energy's partner API (Flex Lite).

Free of Home Assistant imports: it needs only ``aiohttp`` and could be published on its own.
Each module names its public part in ``__all__``; the package offers them all.
"""

from __future__ import annotations

from . import assets, client, eligibility, exceptions, models, transport, validation
from .assets import *  # noqa: F403
from .client import *  # noqa: F403
from .eligibility import *  # noqa: F403
from .exceptions import *  # noqa: F403
from .models import *  # noqa: F403
from .transport import *  # noqa: F403
from .validation import *  # noqa: F403

__all__ = []
__all__ += assets.__all__
__all__ += client.__all__
__all__ += eligibility.__all__
__all__ += exceptions.__all__
__all__ += models.__all__
__all__ += transport.__all__
__all__ += validation.__all__
