"""Sentences said differently when a hotline operator types for the caller (channel
"operator"): the operator reads them aloud, so "this phone" means the caller's number."""

from __future__ import annotations

OPERATOR_TEXT: dict[str, tuple[str, str]] = {
    "reg.phone.this.operator": ("使用来电号码 {phone}", "Use the caller's number {phone}"),
    "reg.phone.other.operator": (
        "接种人本人手机号？回复1使用来电号码，或输入其本人号码：",
        "The person's own mobile? Reply 1 for the caller's number, or type theirs:",
    ),
    "reg.phone.ask_or_pick.operator": (
        "接种人手机号？可回复1使用来电号码，或直接输入其他号码：",
        "The person's mobile number? Reply 1 for the caller's number, or type another:",
    ),
    "companion.phone.operator": ("请输入陪同家属手机号：", "The family member's mobile number:"),
}
