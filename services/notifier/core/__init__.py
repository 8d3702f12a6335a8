"""Pure decisions about one alert: the state machine, escalation, duty, reply codes, links,
the channel port, and the delivery order, sender pool and retry schedule."""
