"""A synthetic many-label task: support messages for 60 intents (12 topics × 5 actions), learnable
from the words in each message, for timing and testing the many-label paths (label trie, extra
passes sized to their cost). Labels share leading tokens as real intent sets do ("card_cancel",
"card_status", ...).

    python -m tools.intents it.csv [--per-label 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

TOPICS = {
    "card": ["my debit card", "the new card", "my bank card"],
    "transfer": ["a bank transfer", "the money transfer", "my transfer to a friend"],
    "account": ["my account", "the joint account", "my current account"],
    "payment": ["a card payment", "the payment to a shop", "my online payment"],
    "refund": ["a refund", "the refund for my order", "my money back"],
    "loan": ["my loan", "the personal loan", "a loan application"],
    "savings": ["my savings pot", "the savings account", "my savings goal"],
    "address": ["my home address", "the address on file", "my postal address"],
    "password": ["my password", "the login password", "my passcode"],
    "statement": ["my monthly statement", "the bank statement", "a statement copy"],
    "atm": ["the cash machine", "an ATM withdrawal", "the ATM"],
    "fee": ["a fee", "the charge on my account", "an extra fee"],
}
ACTIONS = {
    "request": ["I would like to get", "please can I have", "how do I order"],
    "cancel": ["I want to cancel", "please stop", "how can I close"],
    "status": ["what is happening with", "where is", "any update on"],
    "problem": ["something is wrong with", "there is an error with", "I cannot use"],
    "change": ["I need to update", "how do I change", "can you edit"],
}
OPENERS = ["Hi,", "Hello,", "", "Good morning,", "Hey there,", "Excuse me,"]
CLOSERS = ["", "thanks.", "as soon as possible.", "today please.", "it is urgent.", "cheers."]


def labels() -> list[str]:
    return [f"{topic}_{action}" for topic in TOPICS for action in ACTIONS]


def rows(per_label: int = 20, seed: int = 0) -> list[dict[str, str]]:
    """`per_label` messages for each of the 60 intents, shuffled; each names its topic and action."""
    rng = random.Random(seed)
    out = []
    for topic, things in TOPICS.items():
        for action, verbs in ACTIONS.items():
            for _ in range(per_label):
                text = " ".join(w for w in (rng.choice(OPENERS), rng.choice(verbs), rng.choice(things),
                                            rng.choice(CLOSERS)) if w)
                out.append({"text": text, "label": f"{topic}_{action}"})
    rng.shuffle(out)
    return out


def write_csv(path: Path, per_label: int = 20, seed: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerows(rows(per_label, seed))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.intents", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--per-label", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(write_csv(args.path, args.per_label, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
