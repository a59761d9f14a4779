"""Billing outbound ports and their implementations."""
