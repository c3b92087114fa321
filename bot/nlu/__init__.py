"""Reading residents' free text: intents and entities (see docs/nlu.md)."""

from bot.nlu.interpreter import Interpreter
from bot.nlu.reading import NONE, Reading

__all__ = ["NONE", "Interpreter", "Reading"]
