"""Sealing: a case's personal fields encrypted with the case's own data key (AES-256-GCM),
the data keys wrapped by a key-encryption key, rotation, retention and erasure (docs/keys.md)."""
