"""Gateway handlers layer."""
