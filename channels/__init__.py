"""Channel adapters (SMS, Telegram, email, console) around the engine."""
