"""Development tools for the Axle Flex Lite integration (not shipped with it)."""
