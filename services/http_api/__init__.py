"""What the HTTP services share: problem responses, request observation, defensive body reading."""
