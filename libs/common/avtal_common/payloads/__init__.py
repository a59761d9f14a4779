"""Payload models of each producer, one module per producing service."""
