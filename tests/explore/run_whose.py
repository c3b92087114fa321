"""Exploration harness (session 14, whose bookings): every message of
``whose_bookings.jsonl`` sent through the real engine on a phone of one, two or three people
(``whose_phones.py``), each on a fresh copy; a line passes when the reply names everyone in
``shows``, no one in ``hides``, one of ``any`` if given, and leaves ``active_after`` bookings.
Not a test: ``python tests/explore/run_whose.py [--fails]``."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bot.clock import parse_moment
from bot.demo import seed_demo
from bot.engine import Engine
from bot.messages import Inbound
from flows.policy import load_policy
from store import Dose, Store
from tests.explore.whose_phones import DOSE_1_DAY, PHONES

os.environ.setdefault("VAXBOT_DATA_KEY", "exploration-only-data-key-0123456789abcdef")
NOW = "2021-06-17T10:00:00+08:00"
SENDER = "+8613800138000"
HERE = Path(__file__).parent


def main() -> None:
    policy = load_policy()
    moment = parse_moment(NOW, policy.zone)
    work = Path(tempfile.mkdtemp(prefix="whose-"))
    built: dict[str, Path] = {}
    for name, (messages, doses) in PHONES.items():
        path = work / f"{name}.db"
        store = Store.open(path)
        seed_demo(store, policy, moment.date(), 7, moment)
        engine = Engine(store, policy, lambda: moment)
        for text in messages:
            engine.handle(Inbound("sms", SENDER, text, None))
        for number in doses:
            person = store.resident_by_document("resident_id", number)
            assert person is not None
            dose = Dose(person.id, 1, DOSE_1_DAY, "coronavac", 1, "import")
            store.add_dose(dose, moment, "t", "t")
        store.close()
        built[name] = path
    results: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for line in (HERE / "whose_bookings.jsonl").read_text().splitlines():
        case = json.loads(line)
        path = work / "case.db"
        shutil.copyfile(built[case["phone"]], path)
        key = built[case["phone"]].with_suffix(".db.key")
        if key.exists():
            shutil.copyfile(key, path.with_suffix(".db.key"))
        store = Store.open(path)
        engine = Engine(store, policy, lambda: moment)
        for text in case.get("before", []):
            engine.handle(Inbound("sms", SENDER, text, None))
        replies = engine.handle(Inbound("sms", SENDER, case["text"], None))
        said = "\n".join(r.text + " " + " ".join(o.label for o in r.options) for r in replies)
        problems = [f"missing {w}" for w in case["shows"] if w not in said]
        problems += [f"tells {w}" for w in case["hides"] if w in said]
        if case.get("any") and not any(w in said for w in case["any"]):
            problems.append(f"none of {case['any']}")
        if "active_after" in case:
            account = store.account_of("sms", SENDER)
            assert account is not None
            active = sum(len(store.active_bookings(p.id)) for p in store.residents_of(account))
            if active != case["active_after"]:
                problems.append(f"{active} bookings left")
        store.close()
        path.unlink()
        totals[case["kind"]] += 1
        if not problems:
            results[case["kind"]] += 1
        elif "--fails" in sys.argv:
            print(
                f"[{case['kind']}] {case['phone']} {case.get('before', '')} {case['text']!r}: "
                f"{'; '.join(problems)}\n    {said.replace(chr(10), ' | ')[:300]}"
            )
    for kind, n in totals.items():
        print(f"{kind:18} {results[kind]:3}/{n}")
    print(f"{'all':18} {sum(results.values()):3}/{sum(totals.values())}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
