"""Tests for the Axle Flex Lite integration."""
