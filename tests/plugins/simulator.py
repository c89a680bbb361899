"""Fixtures for the Axle simulator over loopback HTTP (filled in by the simulator work)."""
