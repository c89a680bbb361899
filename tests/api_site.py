"""The Axle client tests' site: its personal data (meter, address, email, consent), which the
client must never log, and its charger.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MPAN = "1900000000013"
OTHER_MPAN = "1400012345678"
POSTCODE = "CT1 2EH"
STREET = "4 Sample Lane"
EMAIL = "user@example.net"
EXTERNAL_ID = "ha-charger-5e1d"
CONSENT_AT = datetime(2026, 11, 24, 19, 2, 11, tzinfo=ZoneInfo("Europe/London"))
