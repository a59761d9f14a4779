"""Notifier outbound ports and their implementations."""
