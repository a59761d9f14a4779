"""Notifier api layer."""
