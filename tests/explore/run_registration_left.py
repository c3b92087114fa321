"""Exploration harness (session 14, registration and the rules before it): every message of
tests/explore/registration_left.jsonl sent by a phone of its own at the step its ``setup``
reaches, through the engine on a seeded SQLite file with the clock fixed, and its ``expect``
checked on what the resident reads. Not a test: ``python tests/explore/run_registration_left.py``
prints the passes per kind and the messages that fail (run with PYTHONPATH=/path/to/other/tree
to measure another tree)."""

from __future__ import annotations

import itertools
import json
import os
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from bot.clock import parse_moment
from bot.demo import seed_demo
from bot.engine import Engine
from bot.messages import Inbound
from flows.identity import check_character
from flows.policy import load_policy
from store import Store

os.environ.setdefault("VAXBOT_DATA_KEY", "exploration-only-data-key-0123456789abcdef")
NOW = "2021-06-17T10:00:00+08:00"
CORPUS = Path(__file__).parent / "registration_left.jsonl"
_N = itertools.count(1)


def _id(born: str) -> str:
    first = f"440106{born}{next(_N) % 1000:03d}"
    return first + check_character(first)


def setup(name: str) -> list[str]:
    me, mum = _id("19900101"), _id("19520505")
    family = ["登记", "1", "1", "张三", "1", me, "1", "1", "帮我妈妈登记", "1",
              f"李秀英 {mum}", "13900139000", "1", "退出"]  # fmt: skip
    at_phone = ["登记", "1", "1", "张三", "1", me]
    return {
        "fresh": [],
        "at_consent": ["帮我女儿登记"],
        "at_name": ["帮我女儿登记", "1"],
        "at_name_mum": ["帮我妈登记", "1"],
        "at_doc": ["登记", "1", "2", "王小红"],
        "family": family,
        "family_person": [*family, "预约"],
        "family_screening": [*family, "预约", "1"],
        "at_phone": at_phone,
        "at_phone_hant": ["登记", "1", "1", "張三", "1", me],
        "at_home": [*at_phone, "1"],
        "at_nat_en": ["register", "1", "1", "John Smith", "2", f"E{next(_N):08d}"],
    }[name]


CONSENT = ("预登记须知", "預登記須知", "Pre-registration:")
TWO = ("一次为一位", "一次登记一位", "一次為一位", "一次登記一位", "One booking at a time",
       "One registration at a time")  # fmt: skip
KNOWN = ("已在本机登记", "已在本機登記", "on this phone already")
CHECKS = {
    "too_young": lambda r: any(w in r for w in ("未满18", "未滿18", "under 18"))
    and not any(w in r for w in CONSENT),
    "companion": lambda r: any(w in r for w in ("须家属陪同", "須家屬陪同", "must come along")),
    "assessment": lambda r: any(w in r for w in ("现场评估", "現場評估", "assessment"))
    and not any(w in r for w in ("须家属陪同", "須家屬陪同", "must come along")),
    "plain": lambda r: any(w in r for w in CONSENT)
    and not any(w in r for w in ("可以预约", "can book", "未满", "under 18")),
    "ask_adult": lambda r: any(w in r for w in ("满18周岁了吗", "滿18週歲了嗎", "18 or older?")),
    "deferred": lambda r: any(w in r for w in ("暂缓", "暫緩", "waits")),  # before any data
    "two": lambda r: any(w in r for w in TWO),
    "which": lambda r: any(w in r for w in ("还是", "還是", " first?")),
    "now": lambda r: any(w in r for w in ("现在为", "現在為", "Booking for")),
    "not_two": lambda r: not any(w in r for w in ("一次为一位", "一次為一位", "at a time")),
    "known": lambda r: any(w in r for w in KNOWN),
    "not_known": lambda r: not any(w in r for w in ("已在本机登记", "on this phone already")),
    "ask_name": lambda r: any(w in r for w in ("正确的姓名", "正確的姓名", "right name")),
    "again_doc": lambda r: any(w in r for w in ("证件类型", "證件類型", "identity document")),
    # a resident ID number said to be wrong: its number asked again, the document type kept
    "again_id": lambda r: any(w in r for w in ("身份证号码", "身份證號碼", "resident ID number")),
    "again_phone": lambda r: any(w in r for w in ("重新填写", "重新填寫", "once more"))
    and any(w in r for w in ("手机号", "手機號", "mobile")),
    "permit": lambda r: any(w in r for w in ("通行证号码", "通行證號碼", "permit number")),
}  # fmt: skip


def check(expect: str, said: str) -> bool:
    kind, _, value = expect.partition(":")
    if kind == "fixed_name":
        return any(w in said for w in (f"姓名已改为：{value}", f"姓名已改為：{value}",
                                       f"Name changed to {value}"))  # fmt: skip
    return CHECKS[kind](said)


def main() -> None:
    policy = load_policy()
    path = Path(tempfile.mkdtemp()) / "explore.db"
    store = Store.open(str(path))
    moment = parse_moment(NOW, policy.zone)
    seed_demo(store, policy, date(2021, 6, 17), 7, moment)
    engine = Engine(store, policy, lambda: moment)
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for n, row in enumerate(rows):
        address = f"+86137{n:08d}"
        for text in setup(row["setup"]):
            engine.handle(Inbound("sms", address, text, None))
        replies = engine.handle(Inbound("sms", address, row["text"], None))
        said = "\n".join([r.text for r in replies] + [o.label for r in replies for o in r.options])
        kind = row["expect"].partition(":")[0]
        total[kind] += 1
        if check(row["expect"], said):
            passed[kind] += 1
        elif "-v" in sys.argv:
            print(f"FAIL {row['setup']} {row['text']!r} ({row['expect']}): {said[:160]!r}")
    for kind in total:
        print(f"{kind:12} {passed[kind]:3}/{total[kind]}")
    print(f"{'all':12} {sum(passed.values()):3}/{sum(total.values())}")


if __name__ == "__main__":
    main()
