"""The vaxbot dialogue engine: conversation state, routing, global commands, language."""
