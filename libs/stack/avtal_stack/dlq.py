"""`avtal dlq list|show|replay`: find dead letters, read one, replay them once their cause is fixed."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import socket
import sys

from avtal_common import dlq
from avtal_common.kafka import kafka_reachable
from avtal_common.settings import CommonSettings
from avtal_common.topics import dlq as dlq_of
from avtal_common.topics import is_dlq
from avtal_stack.config import StackSettings

INBOX_NOTE = (
    "a replay is safe to repeat: each consumer's inbox ignores an event it has already applied, "
    "so only the group that refused it applies it now"
)


def kafka_settings() -> tuple[CommonSettings, str]:
    """AVTAL_KAFKA_BOOTSTRAP_SERVERS when set; else the broker of the stack `avtal up` runs here
    (its stack.json); else the default. Also says where the address came from."""
    if "AVTAL_KAFKA_BOOTSTRAP_SERVERS" in os.environ:
        return CommonSettings(), "AVTAL_KAFKA_BOOTSTRAP_SERVERS"
    state = StackSettings().home.resolve() / "stack.json"
    if state.exists():
        s = json.loads(state.read_text())
        common = CommonSettings(
            kafka_bootstrap_servers=s["kafka_bootstrap_servers"],
            kafka_profile=s.get("kafka_profile", "local"),
        )
        return common, str(state)
    return CommonSettings(), "the default address"


def run(args: argparse.Namespace) -> int:
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # its connection errors: we say it plainly
    common, source = kafka_settings()
    if not asyncio.run(kafka_reachable(common, timeout_s=5.0)):
        print(
            f"no Kafka broker answers at {common.kafka_bootstrap_servers} (from {source}); start the stack "
            "(`avtal up`) or set AVTAL_KAFKA_BOOTSTRAP_SERVERS",
            file=sys.stderr,
        )
        return 2
    command = {"list": _list, "show": _show, "replay": _replay}[args.dlq_command]
    return asyncio.run(command(common, args))


async def _list(common: CommonSettings, args: argparse.Namespace) -> int:
    if args.topic is None:
        return await _list_topics(common)
    topic = _dlq_topic(args.topic)
    letters = await dlq.read_dead_letters(common, topic)
    replays = await dlq.read_replays(common)
    if not letters:
        print(f"{topic}: no dead letters")
        return 0
    print(_row("P:OFFSET", "ORIGINAL (TOPIC:P:OFFSET)", "GROUP", "EVENT ID", "WHEN (UTC)", "REASON"))
    for x in letters:
        done = replays.get(x.ref)
        note = f"  [replayed {_when(done.replayed_at)} to {done.replayed_to}]" if done else ""
        where, when = f"{x.partition}:{x.offset}", _when(x.dead_lettered_at)
        reason = _one_line(x.reason, 100) + note
        print(_row(where, x.original_position, x.group, x.event_id or "-", when, reason))
    return 0


async def _list_topics(common: CommonSettings) -> int:
    counts = await dlq.count_dead_letters(common)
    replays = await dlq.read_replays(common)
    held = {t: n for t, n in counts.items() if n}
    if not held:
        print(f"no dead letters ({len(counts)} dead-letter topics, all empty)")
        return 0
    print(f"{'DEAD-LETTER TOPIC':<36} {'MESSAGES':>8} {'REPLAYED':>8}")
    for topic, n in held.items():
        replayed = sum(1 for ref in replays if ref.startswith(f"{topic}:"))
        print(f"{topic:<36} {n:>8} {replayed:>8}")
    if len(counts) > len(held):
        print(f"({len(counts) - len(held)} other dead-letter topics are empty)")
    return 0


async def _show(common: CommonSettings, args: argparse.Namespace) -> int:
    topic = _dlq_topic(args.topic)
    letters = [
        x
        for x in await dlq.read_dead_letters(common, topic)
        if (args.offset is None or x.offset == args.offset)
        and (args.partition is None or x.partition == args.partition)
        and (args.event_id is None or (x.event_id or "").lower() == args.event_id.strip().lower())
    ]
    if not letters:
        print(f"{topic}: no dead letter matches", file=sys.stderr)
        return 1
    for x in letters:
        print(
            f"== {x.ref}  key={(x.key or b'').decode(errors='replace')}  at {_when(x.dead_lettered_at)} UTC"
        )
        for k, v in x.headers:
            print(f"  {k}: {v.decode(errors='replace')}")
        print(x.body_text())
    return 0


async def _replay(common: CommonSettings, args: argparse.Namespace) -> int:
    topic = _dlq_topic(args.topic)
    letters = await dlq.read_dead_letters(common, topic)
    chosen = dlq.select(letters, await dlq.read_replays(common), args.event_ids, args.again)
    for event_id in chosen.unknown:
        print(f"no dead letter of event {event_id} in {topic}", file=sys.stderr)
    for x, before in chosen.refused:
        print(
            f"refused {x.ref} (event {x.event_id or '-'}): replayed {_when(before.replayed_at)} UTC by "
            f"{before.replayed_by} to {before.replayed_to}; add --again to replay it anyway ({INBOX_NOTE})",
            file=sys.stderr,
        )
    if chosen.chosen:
        done = await dlq.replay(common, chosen.chosen, _who(), _progress(len(chosen.chosen)))
        for r in done:
            print(f"replayed {r.dead_letter} (event {r.event_id or '-'}) to {r.replayed_to}")
        print(f"{len(done)} dead letter{'s' if len(done) != 1 else ''} replayed; {INBOX_NOTE}")
    elif not chosen.refused and not chosen.unknown:
        print(f"{topic}: nothing to replay")
    return 1 if args.event_ids and (chosen.refused or chosen.unknown) else 0


def _progress(total: int) -> dlq.Progress:
    """A counted progress line on stderr: rewritten in place on a terminal, one line per step otherwise."""
    tty = sys.stderr.isatty()

    def show(done: int, _total: int) -> None:
        line = f"replaying {_bar(done, total)} {done}/{total}"
        print(("\r" + line) if tty else line, end="\n" if not tty or done == total else "", file=sys.stderr)
        sys.stderr.flush()

    return show


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _row(*cells: str) -> str:
    widths = (9, 34, 10, 36, 19)
    return " ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=False)) + "  " + cells[-1]


def _dlq_topic(name: str) -> str:
    return name if is_dlq(name) else dlq_of(name)


def _who() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}"


def _when(at: object) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}"


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
