"""``vaxbot nlu test|misses``: scoring the interpreter, and what it did not understand."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, time
from pathlib import Path

from bot.cli_common import db_option, missing_database
from bot.clock import Clock
from bot.demo import seed_demo
from bot.nlu import Interpreter
from bot.nlu.scoring import CORPUS_TODAY, read_examples, report, score
from flows.policy import Policy
from store import DatabaseUnavailable, open_store


def add_nlu_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser | None = None,
) -> argparse.ArgumentParser:
    nlu = commands.add_parser(
        "nlu",
        help="score the free-text interpreter; list messages it did not understand",
        description="The interpreter reads residents' free text (docs/nlu.md). `test` scores it "
        "on a labelled file; `misses` lists the most frequent messages not understood.",
    )
    actions = nlu.add_subparsers(dest="action", required=True, metavar="ACTION")
    testing = actions.add_parser(
        "test",
        help="intent accuracy and entity precision/recall on a labelled file",
        description="Score the interpreter on FILE (one JSON object a line: text, intent, "
        "entities; tests/nlu/README.md), against the demo's sites (or --db's), as `rasa test "
        "nlu` does. Prints accuracy, precision, recall and the most confused intents.",
    )
    testing.add_argument("file", type=Path, help="labelled messages (JSON lines)")
    testing.add_argument("--db", help="SQLite file whose sites to use (default: the demo's)")
    testing.add_argument("--errors", action="store_true", help="also list every wrong intent")
    testing.add_argument(
        "--min-accuracy", type=float, default=0.0, help="exit 1 below this intent accuracy"
    )
    misses = actions.add_parser(
        "misses",
        help="the most frequent messages not understood (masked)",
        description="Messages the interpreter did not understand, masked (no ID numbers, "
        "phones, names), most frequent first: what to add to the lexicon.",
    )
    db_option(misses)
    misses.add_argument("--limit", type=int, default=30, help="how many (default 30)")
    return nlu


def run_nlu(args: argparse.Namespace, policy: Policy, clock: Clock) -> int:
    if args.action == "misses":
        if missing_database(args.db, "vaxbot nlu misses"):
            return 2
        try:
            store = open_store(args.db)
        except DatabaseUnavailable as exc:
            print(f"vaxbot nlu misses: {exc}", file=sys.stderr)
            return 2
        try:
            rows = store.misses(args.limit)
        finally:
            store.close()
        for text, count, last in rows:
            print(f"{count:>6}  {last[:16]}  {text}")
        if not rows:
            print("no messages missed")
        return 0
    try:
        examples = read_examples(args.file)
    except (OSError, ValueError) as error:
        print(f"vaxbot nlu test: {error}")
        return 2
    if args.db and missing_database(args.db, "vaxbot nlu test"):
        return 2
    with tempfile.TemporaryDirectory() as folder:
        if args.db:
            store = open_store(args.db)
        else:
            store = open_store(Path(folder) / "demo.db")
            moment = datetime.combine(CORPUS_TODAY, time(9), tzinfo=policy.zone)
            seed_demo(store, policy, CORPUS_TODAY, 7, moment)
        try:
            interpreter = Interpreter(policy, store.sites)
            sites = {site.name_zh: site.id for site in store.sites()}
            scores = score(interpreter, examples, sites)
        finally:
            store.close()
    print("\n".join(report(scores)))
    if args.errors:
        for text, labelled, read in scores.wrong:
            print(f"  {labelled:>16} -> {read:<16} {text}")
    return 1 if scores.accuracy < args.min_accuracy else 0
