"""Billing handlers layer."""
