"""Fixtures for config entries and a simulated charger (filled in by the controller work)."""
