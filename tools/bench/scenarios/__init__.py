"""Bench scenarios, run by ``scripts/bench`` under the Home Assistant test harness.

Not collected by the test suite (no file here matches ``test_*.py`` and it lives outside
``tests/``): ``python -m tools.bench`` names the section modules explicitly, in the table's order
(``SECTIONS``). Each ``test_*`` function measures one thing and records figures through
``results.record``; the assertions only guard the measurement itself (a scenario that measured
nothing fails rather than printing an empty row). ``shared`` holds what the sections share,
``conftest`` their fixtures.
"""

# The section modules, in the order of the table: pytest runs the files in the order it is given.
SECTIONS = ("latency", "calls", "scale", "storage")
