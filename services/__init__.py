"""The Safeguard services: intake, router, notifier, and what they share."""
