"""End-to-end test: a real Home Assistant process, the integration and the Axle simulator."""
