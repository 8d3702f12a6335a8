"""Versioned event and API contracts shared by every Safeguard service."""
