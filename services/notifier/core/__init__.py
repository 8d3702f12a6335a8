"""Pure decisions about one alert: the state machine, escalation, duty, reply codes, links
and the channel port."""
