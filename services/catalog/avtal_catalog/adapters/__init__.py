"""Outbound ports of the catalog."""
