"""Shared pytest plugins (fixtures)."""
