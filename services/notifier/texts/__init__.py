"""Pure rendering: the phrase catalogue, the messages and their composition, SMS segments."""
