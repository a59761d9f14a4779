"""Reporting domain layer."""
