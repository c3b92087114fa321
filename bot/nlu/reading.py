"""What the interpreter makes of a message (``Reading``), and the intent of none."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.nlu.normalise import Script
from flows.entities import Entities

NONE = "none"


@dataclass(frozen=True, slots=True)
class Reading:
    """What a message means, as far as the interpreter can tell."""

    intent: str  # the likeliest intent, or "none"
    confident: bool  # the likeliest clearly leads
    entities: Entities
    question: bool  # the message asks something (吗, 多久, ?)
    script: Script | None  # the characters it was written in, when they tell
    english: bool  # written in English (Latin words, no Chinese)
    ranked: tuple[tuple[str, float], ...] = field(default=())  # intents by score, best first
    text: str = ""  # the normalised text
    also: str | None = None  # a question asked with a booking request (想约，要带什么？)
    # several questions in one message (孕妇可以打吗？要带什么？): each clause's topic, in order
    asked: tuple[str, ...] = ()

    def topics(self) -> list[str]:
        """The topics asked about (``ask.<topic>``): every one of a message asking several,
        else the likeliest reading's."""
        return [name[4:] for name in self.asked] or [self.intent[4:]]

    def likely(self, threshold: float) -> tuple[str, ...]:
        """The two likeliest intents that reach ``threshold``; none when the likeliest reading
        is that the message asks for nothing vaxbot does (核酸, 健康码)."""
        if self.ranked and self.ranked[0][0] == NONE:
            return ()
        return tuple(n for n, score in self.ranked[:2] if score >= threshold and n != NONE)

    def unanswerable(self) -> bool:
        """Whether the message is a question no answer of ours fits: it asks (吗, 可唔可以,
        ?, can/where …) and names nothing vaxbot reads but a place (parking at a site)."""
        if not self.question or self.intent.startswith("ask."):
            return False
        if not any(char.isalnum() for char in self.text):  # ??? asks nothing: not understood
            return False
        return self.intent == NONE or not set(self.entities.said()) - {"site", "district"}
