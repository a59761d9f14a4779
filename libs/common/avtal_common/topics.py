"""One constant per topic (`<aggregate>.<fact>`), keyed by aggregate id; `dlq()` names its dead letters;
the layout every topic must have (partitions, replication, min ISR) and how an existing one differs."""

from __future__ import annotations

from dataclasses import dataclass

CATALOG_PRODUCT_UPSERTED = "catalog.product.upserted"
CATALOG_PRICE_CHANGED = "catalog.price.changed"

CUSTOMER_UPSERTED = "customer.upserted"
# A customer's billing details after every change in Avtal (billing prints the newest on invoices).
CUSTOMER_STATE = "customer.state"
# The contract's full current state and version after every change (consumers keep the newest);
# the facts below are published beside it, in the same transaction (docs/adr/0008).
CONTRACT_STATE = "contract.state"
CONTRACT_CREATED = "contract.created"
CONTRACT_AMENDED = "contract.amended"
CONTRACT_TERMINATED = "contract.terminated"
CONTRACT_RENEWED = "contract.renewed"
CONTRACT_EXPIRING = "contract.expiring"
CONTRACT_EXPIRED = "contract.expired"
# Staff asked for an off-cycle invoice of a contract ("bill now"); billing invoices what is due at once.
CONTRACT_BILL_REQUESTED = "contract.bill_requested"

INVOICE_GENERATED = "invoice.generated"
INVOICE_CREDITED = "invoice.credited"
INVOICE_PAID = "invoice.paid"
INVOICE_OVERDUE = "invoice.overdue"
RENEWAL_QUOTED = "renewal.quoted"
RENEWAL_ACCEPTED = "renewal.accepted"
# The customer (in the portal) or staff declined the renewal: no successor; the term ends as it is.
RENEWAL_DECLINED = "renewal.declined"
PAYMENT_RECEIVED = "payment.received"
# Billing applied a payment: to which invoice, how much, and what went to the customer's credit.
PAYMENT_APPLIED = "payment.applied"
# A billing run's round ended (counts and its open failures), for staff notices (issue 10).
BILLING_RUN_FINISHED = "billing.run.finished"
# A contracts bulk job finished (counts and its failures), for staff notices (issue 10).
BULK_JOB_FINISHED = "bulk_job.finished"

NOTIFICATION_SENT = "notification.sent"
NOTIFICATION_FAILED = "notification.failed"

# Operations: what `avtal dlq replay` republished (keyed by the dead letter, so each is replayed once).
DEAD_LETTER_REPLAYED = "deadletter.replayed"
DLQ_SUFFIX = ".dlq"

ALL = [
    CATALOG_PRODUCT_UPSERTED,
    CATALOG_PRICE_CHANGED,
    CUSTOMER_UPSERTED,
    CUSTOMER_STATE,
    CONTRACT_STATE,
    CONTRACT_CREATED,
    CONTRACT_AMENDED,
    CONTRACT_TERMINATED,
    CONTRACT_RENEWED,
    CONTRACT_EXPIRING,
    CONTRACT_EXPIRED,
    CONTRACT_BILL_REQUESTED,
    INVOICE_GENERATED,
    INVOICE_CREDITED,
    INVOICE_PAID,
    INVOICE_OVERDUE,
    RENEWAL_QUOTED,
    RENEWAL_ACCEPTED,
    RENEWAL_DECLINED,
    PAYMENT_RECEIVED,
    PAYMENT_APPLIED,
    BILLING_RUN_FINISHED,
    BULK_JOB_FINISHED,
    NOTIFICATION_SENT,
    NOTIFICATION_FAILED,
]


def dlq(topic: str) -> str:
    return f"{topic}{DLQ_SUFFIX}"


def is_dlq(topic: str) -> bool:
    return topic.endswith(DLQ_SUFFIX)


def undlq(topic: str) -> str:
    """The topic whose dead letters `topic` holds (`contract.created.dlq` → `contract.created`)."""
    return topic.removesuffix(DLQ_SUFFIX)


@dataclass(frozen=True)
class TopicLayout:
    """What every Avtal topic is created with."""

    partitions: int
    replication_factor: int
    min_insync_replicas: int

    def configs(self) -> dict[str, str]:
        return {"min.insync.replicas": str(self.min_insync_replicas)}


def layout_for(
    profile: str, partitions: int, replication_factor: int | None, min_insync_replicas: int | None
) -> TopicLayout:
    """Unset values follow the profile: on Apache Kafka three replicas of which two must acknowledge
    (one broker may fail without losing an acknowledged write or stopping producers); one locally."""
    rf = replication_factor or (3 if profile == "kafka" else 1)
    min_isr = min_insync_replicas or (2 if rf >= 3 else 1)
    if min_isr > rf:
        raise ValueError(
            f"AVTAL_KAFKA_MIN_INSYNC_REPLICAS={min_isr} exceeds the replication factor {rf}: "
            "no write with acks=all could ever succeed; lower it or raise AVTAL_KAFKA_REPLICATION_FACTOR"
        )
    return TopicLayout(partitions, rf, min_isr)


@dataclass(frozen=True)
class ObservedTopic:
    """An existing topic as the broker describes it; `min_insync_replicas` is None when the broker does
    not report the topic's configuration (Tansu reports only what the topic was created with)."""

    name: str
    partitions: int
    replication_factor: int  # the smallest over its partitions
    min_insync_replicas: int | None


def differences(want: TopicLayout, seen: ObservedTopic) -> list[str]:
    """How `seen` differs from `want`, each with the command that fixes it; [] when it is as wanted."""
    out: list[str] = []
    t = seen.name
    if seen.partitions < want.partitions:
        out.append(
            f"{seen.partitions} partitions, {want.partitions} wanted: `kafka-topics.sh --alter --topic {t} "
            f"--partitions {want.partitions}` (keys move to other partitions: do it with the producers "
            f"stopped and the consumers caught up), or set AVTAL_KAFKA_PARTITIONS={seen.partitions}"
        )
    elif seen.partitions > want.partitions:
        out.append(
            f"{seen.partitions} partitions, {want.partitions} configured (partitions cannot be removed): "
            f"set AVTAL_KAFKA_PARTITIONS={seen.partitions}"
        )
    if seen.replication_factor != want.replication_factor:
        out.append(
            f"replication factor {seen.replication_factor}, {want.replication_factor} wanted: reassign "
            f"the replicas of {t} with `kafka-reassign-partitions.sh`, or set "
            f"AVTAL_KAFKA_REPLICATION_FACTOR={seen.replication_factor} if that is what you meant"
        )
    out += _min_isr_differences(want, seen)
    return out


def _min_isr_differences(want: TopicLayout, seen: ObservedTopic) -> list[str]:
    isr, rf = seen.min_insync_replicas, seen.replication_factor
    if isr is not None and isr > rf:  # whatever was wanted: this topic takes no acks=all write
        return [f"min.insync.replicas {isr} > {rf} replicas (no write can succeed): {_isr_fix(seen, rf)}"]
    if isr is None or isr == want.min_insync_replicas:
        return []
    fix = _isr_fix(seen, want.min_insync_replicas)
    if want.min_insync_replicas > rf:
        fix = f"first add replicas (above), then {fix}"
    return [f"min.insync.replicas {isr}, {want.min_insync_replicas} wanted: {fix}"]


def _isr_fix(seen: ObservedTopic, value: int) -> str:
    return (
        f"`kafka-configs.sh --alter --entity-type topics --entity-name {seen.name} "
        f"--add-config min.insync.replicas={value}`"
    )
