"""Exploration harness (session 12, English and odd input): every message of the corpus, and
every odd input, sent at each step of a booking through `vaxbot chat --jsonl`'s own loop
(``run_chat``) on a copy of the seeded demo with the clock fixed; what is stored is compared
before and after the message. Not a test: ``python tests/explore/run_en_session12.py OUT.jsonl``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bot.chat_cli import run_chat
from bot.clock import parse_moment
from bot.demo import seed_demo
from bot.engine import Engine
from flows.policy import load_policy
from store import Store

os.environ.setdefault("VAXBOT_DATA_KEY", "exploration-only-data-key-0123456789abcdef")

NOW = "2021-06-17T10:00:00+08:00"
HERE = Path(__file__).parent
SENDER = "+8613800138002"
DOMAIN = ("accounts", "addresses", "residents", "doses", "bookings", "slots", "screenings",
          "queue", "offers", "consents", "followups")  # fmt: skip

EN_REG = ["hi can i book a covid shot", "1", "1", "John Smith", "2", "E12345678", "USA",
          "1990-05-04", "1", "1"]  # fmt: skip
ZH_REG = ["我想预约", "1", "1", "张三", "1", "440106199001011235", "1", "1"]
STEPS_EN: dict[str, list[str]] = {
    "start": [],
    "consent": EN_REG[:1],
    "who": EN_REG[:2],
    "name": EN_REG[:3],
    "doc": EN_REG[:4],
    "passport": EN_REG[:5],
    "nationality": EN_REG[:6],
    "birth": EN_REG[:7],
    "phone": EN_REG[:8],
    "home": EN_REG[:9],
    "screening": EN_REG,
    "screen_one": [*EN_REG, "one by one"],
    "district": [*EN_REG, "none"],
    "site": [*EN_REG, "none", "1"],
    "date": [*EN_REG, "none", "1", "2"],
    "period": [*EN_REG, "none", "1", "2", "2"],
    "confirm": [*EN_REG, "none", "1", "2", "2", "1"],
    "booked": [*EN_REG, "none", "1", "2", "2", "1", "1"],
    "cancel_confirm": [*EN_REG, "none", "1", "2", "2", "1", "1", "cancel"],
}
STEPS_ZH: dict[str, list[str]] = {
    "start": [],
    "consent": ZH_REG[:1],
    "name": ZH_REG[:3],
    "idnum": ZH_REG[:5],
    "phone": ZH_REG[:6],
    "screening": ZH_REG,
    "district": [*ZH_REG, "没有"],
    "site": [*ZH_REG, "没有", "1"],
    "date": [*ZH_REG, "没有", "1", "2"],
    "period": [*ZH_REG, "没有", "1", "2", "2"],
    "confirm": [*ZH_REG, "没有", "1", "2", "2", "1"],
    "booked": [*ZH_REG, "没有", "1", "2", "2", "1", "1"],
}

LONG = ("please book me " * 700)[:10_000]
ODD: list[tuple[str, str]] = [
    ("garbage", "asdkjh qwpoe zzxq"),
    ("garbage", "???"),
    ("emoji", "😀😀👍"),
    ("emoji", "💉🙏"),
    ("long", LONG),
    ("long_cjk", "我想预约" * 2500),
    ("digits_fullwidth", "１"),
    ("digits_arabic_indic", "١"),
    ("digits_ethiopic", "፩"),
    ("digits_fullwidth_date", "２０２１-０６-２０"),
    ("year_9999", "9999-12-31"),
    ("year_9999_words", "31 Dec 9999"),
    ("zero_width", "1\u200b"),
    ("zero_width_word", "no\u200bne"),
    ("rtl", "\u202e1"),
    ("rtl_word", "\u200fyes\u200f"),
    ("html", "<script>alert(1)</script>"),
    ("sql", "1'; DROP TABLE bookings;--"),
    ("sql_or", "' OR '1'='1"),
    ("control", "\x00\x07"),
    ("combining", "1\u0301\u0301\u0301"),
    ("huge_number", "9" * 400),
]


def snapshot(path: Path) -> str:
    """A digest of what is stored for residents (not the conversation or its logs)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    digest = hashlib.sha256()
    for table in DOMAIN:
        for row in con.execute(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    con.close()
    return digest.hexdigest()


def converse(path: Path, messages: list[str]) -> list[dict[str, object]]:
    policy = load_policy()
    store = Store.open(path)
    moment = parse_moment(NOW, policy.zone)
    engine = Engine(store, policy, lambda: moment)
    out = io.StringIO()
    run_chat(engine, "sms", SENDER, True, io.StringIO("".join(m + "\n" for m in messages)), out)
    store.close()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def probe(base: Path, prefix: list[str], text: str, work: Path) -> dict[str, object]:
    shutil.copyfile(base, work)
    before_records = converse(work, prefix)
    before = snapshot(work)
    started = time.perf_counter()
    error = ""
    try:
        record = converse(work, [text])[0]
    except Exception as exc:  # a traceback is a finding
        error = f"{type(exc).__name__}: {exc}"
        record = {"in": text, "replies": []}
    elapsed = time.perf_counter() - started
    shown = before_records[-1]["replies"] if before_records else []
    return {"record": record, "error": error, "changed": snapshot(work) != before,
            "seconds": round(elapsed, 3), "on_screen": shown}  # fmt: skip


def main() -> None:
    out_path = Path(sys.argv[1])
    tmp = Path(tempfile.mkdtemp())
    base = tmp / "base.db"
    policy = load_policy()
    store = Store.open(base)
    seed_demo(
        store, policy, parse_moment(NOW, policy.zone).date(), 7, parse_moment(NOW, policy.zone)
    )
    store.close()
    corpus = [json.loads(line) for line in (HERE / "en_session12.jsonl").read_text().splitlines()
              if line.strip()]  # fmt: skip
    jobs: list[tuple[str, str, str, str]] = [
        (c["lang"], c["step"], c["text"], "corpus") for c in corpus
    ]
    for lang, steps in (("en", STEPS_EN), ("zh", STEPS_ZH)):
        for step in steps:
            jobs += [(lang, step, text, kind) for kind, text in ODD]
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    with out_path.open("w") as out:
        for lang, step, text, kind in jobs:
            if only and only != kind:
                continue
            steps = STEPS_EN if lang == "en" else STEPS_ZH
            result = probe(base, steps[step], text, tmp / "work.db")
            out.write(json.dumps({"lang": lang, "step": step, "kind": kind, **result},
                                 ensure_ascii=False) + "\n")  # fmt: skip
            out.flush()


if __name__ == "__main__":
    main()
