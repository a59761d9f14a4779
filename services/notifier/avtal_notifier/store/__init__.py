"""Notifier store layer."""
