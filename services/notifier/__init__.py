"""The notifier: resolves who is on duty, alerts them by SMS, e-mail or voice, records their
acknowledgment and escalates until someone acknowledges.

Decision logic is pure (roster, ack, escalation, messages, segments, links, reply_codes);
channels and the faust/FastAPI wiring sit at the edges."""
