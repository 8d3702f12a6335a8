"""The router: decides which agencies must act on each incident (pure rules) and emits one
alert request per agency (faust wiring)."""
