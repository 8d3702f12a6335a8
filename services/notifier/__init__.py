"""The notifier: resolves who is on duty, alerts them by SMS, e-mail or voice, records their
acknowledgment and escalates until someone acknowledges.

In wings: `core/` decides (pure), `texts/` says (pure), `front/` is the HTTP front (webhooks,
links, ops API) and `worker/` the faust worker with the vendor adapters. docs/architecture.md
says which module owns which decision."""
