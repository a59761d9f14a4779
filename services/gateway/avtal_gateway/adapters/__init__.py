"""Gateway outbound ports: the services internal APIs, password hashing."""
