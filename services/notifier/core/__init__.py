"""The notifier's pure core: decisions without I/O."""
