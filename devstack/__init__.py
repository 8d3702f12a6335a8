"""Local stand-ins and the local Kafka broker: development and test tools, not production code."""
