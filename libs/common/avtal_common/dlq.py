"""Dead letters: read `<topic>.dlq`, describe each letter, and replay chosen ones to their topic, once.

A replay republishes the dead letter's bytes to the topic it came from with its original key and
headers (without the `dlq.*` ones), then records the replay on `deadletter.replayed`, keyed by the
dead letter, so a second replay of the same letter can be refused. Replaying is safe either way:
every consumer's inbox ignores an event id it has already applied, so only the group that refused
the event applies it now.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from avtal_common.events import Envelope, parse_envelope
from avtal_common.kafka import ensure_topics, make_relay_producer
from avtal_common.payloads.ops import DeadLetterReplayed
from avtal_common.settings import CommonSettings
from avtal_common.topics import DEAD_LETTER_REPLAYED, is_dlq, undlq

DLQ_HEADER_PREFIX = "dlq."
REPLAYED_FROM = "replayed_from"  # on a replayed message: the dead letter it was made from
CHUNK = 100  # messages sent before waiting for their acks (and recording them)


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # the `.dlq` topic
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    timestamp_ms: int

    @classmethod
    def of(cls, r: ConsumerRecord[Any, Any]) -> DeadLetter:
        headers = tuple((k, bytes(v or b"")) for k, v in (r.headers or ()))
        return cls(r.topic, r.partition, r.offset, r.key, bytes(r.value or b""), headers, r.timestamp)

    @property
    def ref(self) -> str:
        """Names this dead letter for good (a letter dead-lettered again after a replay is a new one)."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        return next((v.decode(errors="replace") for k, v in self.headers if k == name), None)

    @property
    def original_topic(self) -> str:
        return self.header("dlq.original_topic") or undlq(self.topic)

    @property
    def original_position(self) -> str:
        p, o = self.header("dlq.original_partition"), self.header("dlq.original_offset")
        return f"{self.original_topic}:{p if p is not None else '?'}:{o if o is not None else '?'}"

    @property
    def group(self) -> str:
        return self.header("dlq.group") or "?"

    @property
    def reason(self) -> str:
        return self.header("dlq.reason") or "?"

    @property
    def event_id(self) -> str | None:
        """From the `event_id` header, else from the body (a message another system sent may lack it)."""
        return self.header("event_id") or _body_event_id(self.value)

    @property
    def dead_lettered_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def replay_headers(self) -> list[tuple[str, bytes]]:
        kept = [(k, v) for k, v in self.headers if not k.startswith(DLQ_HEADER_PREFIX) and k != REPLAYED_FROM]
        return [*kept, (REPLAYED_FROM, self.ref.encode())]

    def body_text(self) -> str:
        """The body as indented JSON, or as text when it is not JSON (a schema dead letter)."""
        try:
            return json.dumps(json.loads(self.value), indent=2, ensure_ascii=False)
        except ValueError:
            return self.value.decode(errors="replace")


def _body_event_id(value: bytes) -> str | None:
    try:
        body = json.loads(value)
    except ValueError:
        return None
    found = body.get("event_id") if isinstance(body, dict) else None
    return str(found) if found is not None else None


@dataclass(frozen=True)
class Replay:
    """A replay as recorded on `deadletter.replayed`."""

    dead_letter: str
    event_id: str | None
    replayed_to: str
    replayed_by: str
    replayed_at: datetime


@dataclass
class Selection:
    chosen: list[DeadLetter] = field(default_factory=list)
    refused: list[tuple[DeadLetter, Replay]] = field(default_factory=list)  # replayed before
    unknown: list[str] = field(default_factory=list)  # event ids asked for but not in the topic


def select(
    letters: Sequence[DeadLetter], replays: dict[str, Replay], event_ids: Sequence[str] | None, again: bool
) -> Selection:
    """The letters to replay: those with `event_ids` (every letter when None), in the topic's order;
    a letter replayed before only `again`."""
    wanted = None if event_ids is None else {e.strip().lower() for e in event_ids}
    out = Selection()
    for letter in sorted(letters, key=lambda x: (x.partition, x.offset)):
        if wanted is not None and (letter.event_id or "").lower() not in wanted:
            continue
        earlier = replays.get(letter.ref)
        if earlier is not None and not again:
            out.refused.append((letter, earlier))
        else:
            out.chosen.append(letter)
    found = {(x.event_id or "").lower() for x in [*out.chosen, *(r for r, _ in out.refused)]}
    out.unknown = sorted((wanted or set()) - found)
    return out


async def read_dead_letters(common: CommonSettings, topic: str) -> list[DeadLetter]:
    return [DeadLetter.of(r) for r in await read_topic(common, topic)]


async def read_replays(common: CommonSettings) -> dict[str, Replay]:
    """Every replay recorded so far, by dead letter (the latest when one was replayed `again`)."""
    out: dict[str, Replay] = {}
    for r in await read_topic(common, DEAD_LETTER_REPLAYED):
        try:
            env = parse_envelope(r.value or b"", DeadLetterReplayed)
        except ValidationError:
            continue  # not written by us: nothing to learn from it
        d = env.data
        out[d.dead_letter] = Replay(d.dead_letter, d.event_id, d.replayed_to, d.replayed_by, env.occurred_at)
    return out


async def count_dead_letters(common: CommonSettings) -> dict[str, int]:
    """Messages held by each dead-letter topic (end minus start offsets: nothing is read)."""
    partitions = {t: ps for t, ps in (await topic_partitions(common)).items() if is_dlq(t)}
    names = sorted(partitions)
    tps = [TopicPartition(t, p) for t in names for p in partitions[t]]
    if not tps:
        return {}
    async with _reader(common) as consumer:
        start, end = await consumer.beginning_offsets(tps), await consumer.end_offsets(tps)
    counts = dict.fromkeys(names, 0)
    for tp in tps:
        counts[tp.topic] += end[tp] - start[tp]
    return counts


async def read_topic(
    common: CommonSettings, topic: str, timeout_s: float = 60.0
) -> list[ConsumerRecord[Any, Any]]:
    """Every record `topic` holds now, from its start (no consumer group: nothing is committed)."""
    tps = [TopicPartition(topic, p) for p in (await topic_partitions(common)).get(topic, ())]
    if not tps:
        return []
    async with _reader(common) as consumer:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        return await asyncio.wait_for(_drain(consumer, tps, end), timeout_s)


async def topic_partitions(common: CommonSettings) -> dict[str, list[int]]:
    """The partitions of every topic, asked of the cluster now. Not from a consumer's metadata: aiokafka
    bootstraps it with an empty topic list, which Apache Kafka answers with no topics (Tansu with all),
    and `consumer.topics()` keeps nothing of what it fetched. All topics, never one by name: a broker
    with auto.create.topics.enable would create a dead-letter topic merely asked about."""
    admin = AIOKafkaAdminClient(bootstrap_servers=common.bootstrap_list, client_id="avtal-dlq")
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    return {
        t["topic"]: sorted(p["partition"] for p in t["partitions"]) for t in described if t["error_code"] == 0
    }


async def _drain(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], end: dict[TopicPartition, int]
) -> list[ConsumerRecord[Any, Any]]:
    out: list[ConsumerRecord[Any, Any]] = []
    while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
        for tp, records in (await consumer.getmany(*tps, timeout_ms=500)).items():
            out += [r for r in records if r.offset < end[tp]]
    return out


@asynccontextmanager
async def _reader(common: CommonSettings) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=common.bootstrap_list,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="avtal-dlq",
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


Progress = Callable[[int, int], None]  # (done, total)


async def replay(
    common: CommonSettings, letters: Sequence[DeadLetter], by: str, progress: Progress | None = None
) -> list[Replay]:
    """Republish `letters` to their topics in order, waiting for the broker's acks chunk by chunk,
    and record each replay once acknowledged."""
    await ensure_topics(common, [DEAD_LETTER_REPLAYED])
    producer = make_relay_producer(common, "avtal-dlq-replay")
    await producer.start()
    done: list[Replay] = []
    try:
        for i in range(0, len(letters), CHUNK):
            done += await _replay_chunk(producer, letters[i : i + CHUNK], by)
            if progress is not None:
                progress(len(done), len(letters))
    finally:
        await producer.stop()
    return done


async def _replay_chunk(producer: AIOKafkaProducer, letters: Sequence[DeadLetter], by: str) -> list[Replay]:
    sent = [
        await producer.send(x.original_topic, x.value, key=x.key, headers=x.replay_headers()) for x in letters
    ]
    metas = await asyncio.gather(*sent)
    replays = [
        Replay(x.ref, x.event_id, f"{m.topic}:{m.partition}:{m.offset}", by, datetime.now(UTC))
        for x, m in zip(letters, metas, strict=True)
    ]
    recorded = [
        await producer.send(DEAD_LETTER_REPLAYED, _record(r), key=r.dead_letter.encode()) for r in replays
    ]
    await asyncio.gather(*recorded)
    return replays


def _record(r: Replay) -> bytes:
    data = DeadLetterReplayed(
        dead_letter=r.dead_letter, event_id=r.event_id, replayed_to=r.replayed_to, replayed_by=r.replayed_by
    )
    env = Envelope[DeadLetterReplayed](
        event_type=DEAD_LETTER_REPLAYED,
        producer="avtal-dlq",
        aggregate_id=r.dead_letter,
        occurred_at=r.replayed_at,
        data=data,
    )
    return env.model_dump_json().encode()
