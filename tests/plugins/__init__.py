"""Pytest plugins shared by the test suite."""
