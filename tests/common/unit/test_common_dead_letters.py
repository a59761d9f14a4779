"""Dead letters as the replay tool reads them: what each says, what a replay sends, which are replayed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from avtal_common.dlq import DeadLetter, Replay, select

EVENT_A, EVENT_B = "0b9f8e4c-1111-4a4a-9a9a-000000000001", "0b9f8e4c-1111-4a4a-9a9a-000000000002"


def _letter(offset: int, event_id: str | None = EVENT_A, *, partition: int = 0, **extra: str) -> DeadLetter:
    headers = {
        "x-correlation-id": "corr-1",
        "dlq.reason": "domain: end 2026-04-01 must be after start 2026-05-01",
        "dlq.original_topic": "contract.created",
        "dlq.original_partition": "2",
        "dlq.original_offset": "41",
        "dlq.group": "billing",
        **({"event_id": event_id} if event_id else {}),
        **extra,
    }
    body = json.dumps({"event_id": EVENT_B, "data": {"n": 1}}).encode()
    return DeadLetter(
        "contract.created.dlq",
        partition,
        offset,
        b"contract-7",
        body,
        tuple((k, v.encode()) for k, v in headers.items()),
        1_795_000_000_000,
    )


def _replayed(letter: DeadLetter) -> dict[str, Replay]:
    return {
        letter.ref: Replay(
            letter.ref, letter.event_id, "contract.created:2:90", "sre@host", datetime.now(UTC)
        )
    }


def test_a_dead_letter_says_where_it_came_from_who_refused_it_and_why() -> None:
    x = _letter(5)
    assert x.ref == "contract.created.dlq:0:5"
    assert x.original_topic == "contract.created" and x.original_position == "contract.created:2:41"
    assert (x.group, x.event_id) == ("billing", EVENT_A)
    assert x.reason.startswith("domain: end")
    assert x.dead_lettered_at == datetime.fromtimestamp(1_795_000_000, UTC)


def test_the_event_id_comes_from_the_body_when_the_header_is_missing() -> None:
    assert _letter(0, event_id=None).event_id == EVENT_B


def test_a_body_that_is_not_json_has_no_event_id_and_shows_as_text() -> None:
    x = DeadLetter("contract.created.dlq", 0, 0, None, b"{this is not json", (), 0)
    assert x.event_id is None and x.body_text() == "{this is not json"
    assert (x.original_topic, x.group) == ("contract.created", "?")


def test_a_json_body_shows_indented() -> None:
    assert _letter(0).body_text().splitlines()[1] == f'  "event_id": "{EVENT_B}",'


def test_a_replay_keeps_the_original_headers_without_the_dlq_ones_and_names_its_dead_letter() -> None:
    headers = dict(_letter(5).replay_headers())
    assert headers == {
        "x-correlation-id": b"corr-1",
        "event_id": EVENT_A.encode(),
        "replayed_from": b"contract.created.dlq:0:5",
    }


def test_a_letter_replayed_and_dead_lettered_again_names_only_its_latest_dead_letter() -> None:
    x = _letter(9, replayed_from="contract.created.dlq:0:5")
    assert [v for k, v in x.replay_headers() if k == "replayed_from"] == [b"contract.created.dlq:0:9"]


def test_all_selects_every_letter_not_replayed_yet_in_partition_and_offset_order() -> None:
    letters = [_letter(3, partition=1), _letter(2), _letter(1, EVENT_B)]
    chosen = select(letters, _replayed(letters[1]), None, again=False)
    assert [x.ref for x in chosen.chosen] == ["contract.created.dlq:0:1", "contract.created.dlq:1:3"]
    assert [x.ref for x, _ in chosen.refused] == ["contract.created.dlq:0:2"]
    assert chosen.unknown == []


def test_event_ids_select_their_letters_whatever_the_case() -> None:
    letters = [_letter(1, EVENT_A), _letter(2, EVENT_B)]
    chosen = select(letters, {}, [EVENT_B.upper()], again=False)
    assert [x.offset for x in chosen.chosen] == [2]


def test_a_letter_replayed_before_is_refused_unless_again() -> None:
    letter = _letter(1)
    assert select([letter], _replayed(letter), [EVENT_A], again=False).chosen == []
    assert select([letter], _replayed(letter), [EVENT_A], again=True).chosen == [letter]


def test_an_event_dead_lettered_again_after_its_replay_can_be_replayed_as_a_new_letter() -> None:
    first, second = _letter(1), _letter(7)
    chosen = select([first, second], _replayed(first), [EVENT_A], again=False)
    assert chosen.chosen == [second] and [x for x, _ in chosen.refused] == [first]


def test_an_event_id_with_no_dead_letter_is_reported_unknown() -> None:
    chosen = select([_letter(1)], {}, [EVENT_A, "no-such-event"], again=False)
    assert chosen.unknown == ["no-such-event"] and len(chosen.chosen) == 1
