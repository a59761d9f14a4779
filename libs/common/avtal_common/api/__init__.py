"""Request bodies of the public API: validated at the gateway and again by the owning service."""
