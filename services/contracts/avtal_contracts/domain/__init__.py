"""Contracts domain layer."""
