"""The notifier's faust worker: agents, the dispatcher, the Twilio and SMTP adapters, main."""
