"""Billing store layer."""
