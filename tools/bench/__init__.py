"""Benchmark of the integration against the Axle simulator (run with ``scripts/bench``).

``__main__`` measures the import time in fresh interpreters, runs the scenarios (the
``scenarios`` package, a module per section) under the Home Assistant test harness, and prints
one table. ``results`` carries the figures from the scenarios to the table. Nothing here is
collected by the test suite.
"""
