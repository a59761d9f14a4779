"""Event contracts: every published payload keeps parsing its recorded v1 sample.

Each file in samples/ is a full envelope as a producer once wrote it, named <topic>.v1.json.
Payloads may only change additively (new optional fields); a breaking change is a new topic.
So an old sample must always parse with today's model, survive re-serialisation, and parse
again to an equal object. Never edit a sample to make a test pass: add a new one instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from avtal_common.events import parse_envelope
from avtal_common.payloads.billing import BillingRunFinished, InvoiceGenerated
from avtal_common.payloads.catalog import PriceChanged, ProductUpserted
from avtal_common.payloads.contracts import (
    BulkJobFinished,
    ContractCreated,
    ContractExpired,
    ContractExpiring,
    ContractRenewed,
    ContractState,
    RenewalAccepted,
    RenewalDeclined,
)
from avtal_common.payloads.customers import CustomerUpserted
from avtal_common.payloads.notifier import NotificationFailed, NotificationSent
from avtal_common.topics import (
    BILLING_RUN_FINISHED,
    BULK_JOB_FINISHED,
    CATALOG_PRICE_CHANGED,
    CATALOG_PRODUCT_UPSERTED,
    CONTRACT_CREATED,
    CONTRACT_EXPIRED,
    CONTRACT_EXPIRING,
    CONTRACT_RENEWED,
    CONTRACT_STATE,
    CUSTOMER_UPSERTED,
    INVOICE_GENERATED,
    NOTIFICATION_FAILED,
    NOTIFICATION_SENT,
    RENEWAL_ACCEPTED,
    RENEWAL_DECLINED,
)

SAMPLES = Path(__file__).parent / "samples"

MODEL_OF_TOPIC: dict[str, type[BaseModel]] = {
    CATALOG_PRICE_CHANGED: PriceChanged,
    CATALOG_PRODUCT_UPSERTED: ProductUpserted,
    CONTRACT_CREATED: ContractCreated,
    CONTRACT_STATE: ContractState,
    CUSTOMER_UPSERTED: CustomerUpserted,
    CONTRACT_EXPIRING: ContractExpiring,
    CONTRACT_EXPIRED: ContractExpired,
    CONTRACT_RENEWED: ContractRenewed,
    RENEWAL_ACCEPTED: RenewalAccepted,
    INVOICE_GENERATED: InvoiceGenerated,
    NOTIFICATION_SENT: NotificationSent,
    NOTIFICATION_FAILED: NotificationFailed,
    RENEWAL_DECLINED: RenewalDeclined,
    BILLING_RUN_FINISHED: BillingRunFinished,
    BULK_JOB_FINISHED: BulkJobFinished,
}

SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))


def _topic_and_version(path: Path) -> tuple[str, int]:
    stem = path.name.removesuffix(".json")
    topic, _, version = stem.rpartition(".v")
    return topic, int(version)


def _no_floats(text: str) -> Any:
    return json.loads(text, parse_float=lambda s: pytest.fail(f"a float on the wire: {s}"))


def _assert_keys_kept(sample: Any, reserialised: Any, where: str = "") -> None:
    """Every field present in the sample is still present after a round trip (nothing dropped)."""
    if isinstance(sample, dict):
        assert isinstance(reserialised, dict), where
        for key, value in sample.items():
            assert key in reserialised, f"{where}.{key} was dropped on re-serialisation"
            _assert_keys_kept(value, reserialised[key], f"{where}.{key}")
    elif isinstance(sample, list):
        assert isinstance(reserialised, list) and len(reserialised) == len(sample), where
        for i, (a, b) in enumerate(zip(sample, reserialised, strict=False)):
            _assert_keys_kept(a, b, f"{where}[{i}]")


def test_there_are_samples() -> None:
    assert SAMPLE_FILES, f"no samples in {SAMPLES}"


@pytest.mark.parametrize("topic", sorted(MODEL_OF_TOPIC))
def test_every_contracted_topic_has_a_v1_sample(topic: str) -> None:
    assert (SAMPLES / f"{topic}.v1.json").is_file()


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_is_named_after_a_known_topic_and_its_schema_version(path: Path) -> None:
    topic, version = _topic_and_version(path)
    raw = json.loads(path.read_text(encoding="utf-8"))

    assert topic in MODEL_OF_TOPIC, f"{path.name}: add its topic to MODEL_OF_TOPIC"
    assert raw["event_type"] == topic
    assert raw["schema_version"] == version


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_a_sample_parses_re_serialises_and_parses_again_to_an_equal_envelope(path: Path) -> None:
    topic, _ = _topic_and_version(path)
    model = MODEL_OF_TOPIC[topic]
    text = path.read_text(encoding="utf-8")

    env = parse_envelope(text, model)
    out = env.model_dump_json()
    again = parse_envelope(out, model)

    assert isinstance(env.data, model)
    assert again == env
    assert again.model_dump_json() == out
    sample, reserialised = json.loads(text), _no_floats(out)
    _assert_keys_kept(sample, reserialised)
    assert reserialised["event_id"] == sample["event_id"]
    assert reserialised["aggregate_id"] == sample["aggregate_id"]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_amounts_in_a_sample_keep_their_exact_string_form(path: Path) -> None:
    topic, _ = _topic_and_version(path)
    text = path.read_text(encoding="utf-8")

    out = _no_floats(parse_envelope(text, MODEL_OF_TOPIC[topic]).model_dump_json())

    def amounts(node: Any, key: str = "") -> list[tuple[str, Any]]:
        if isinstance(node, dict):
            return [a for k, v in node.items() for a in amounts(v, k)]
        if isinstance(node, list):
            return [a for v in node for a in amounts(v, key)]
        return [(key, node)] if key in {"annual_price", "total", "amount"} else []

    assert amounts(out) == amounts(json.loads(text))
    assert all(isinstance(v, str) for _, v in amounts(out))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_a_sample_with_fields_added_by_a_newer_producer_still_parses(path: Path) -> None:
    topic, _ = _topic_and_version(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["added_in_a_later_release"] = {"anything": [1, 2]}
    raw["data"]["added_in_a_later_release"] = "ignored by older consumers"

    env = parse_envelope(json.dumps(raw), MODEL_OF_TOPIC[topic])

    assert env == parse_envelope(path.read_text(encoding="utf-8"), MODEL_OF_TOPIC[topic])


@pytest.mark.parametrize("topic", sorted(MODEL_OF_TOPIC))
def test_a_payload_model_ignores_unknown_fields_and_is_frozen(topic: str) -> None:
    config = MODEL_OF_TOPIC[topic].model_config

    assert config.get("extra") in (None, "ignore"), "consumers must tolerate additive changes"
    assert config.get("frozen") is True
