"""What the HTTP services share: problem responses and request observation."""
