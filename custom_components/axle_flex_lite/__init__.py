"""The Axle Flex Lite integration."""
