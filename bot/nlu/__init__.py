"""Reading residents' free text: intents and entities (see docs/nlu.md)."""

from bot.nlu.interpreter import NONE, Interpreter, Reading

__all__ = ["NONE", "Interpreter", "Reading"]
