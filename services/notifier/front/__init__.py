"""The notifier's HTTP front: routes (adapters) and its pure projection, page and TwiML."""
