"""Simulated EV chargers for the tests and for a real Home Assistant (test only, never shipped).

One twin per charger profile (``twins.TWINS``): the real integration's domain, entity ids, states,
options and quirks (report lag, polls under a fresh context, stale values, switches that follow the
charger's status, unavailable spells, ignored commands). ``runtime.SimCharger`` is one charger at
run time and carries the helpers that act as the user, the vendor's app and the car.
"""
