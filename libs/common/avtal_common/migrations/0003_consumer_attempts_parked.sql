-- Attempts of a consumer at one event, counted BEFORE the handler runs in a short transaction of their
-- own and cleared when the event commits: a count left behind is a start that never finished (a crash,
-- a kill, a hang), so an event that takes its process down is isolated after N tries across restarts.
-- UNLOGGED: written and deleted for every event, so no WAL for it; a PostgreSQL crash or failover
-- empties it, which only forgets counts (an event gets N more tries), never an effect.
CREATE UNLOGGED TABLE consumer_attempts (
    event_id        uuid NOT NULL,
    handler         text NOT NULL,
    deliveries      integer NOT NULL DEFAULT 0,  -- batches that started it
    solo_attempts   integer NOT NULL DEFAULT 0,  -- starts of it alone (isolation)
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, handler)
);

-- Events whose dependency had not arrived (NotFound) after a bounded wait: kept whole and re-applied
-- periodically (the inbox keeps that idempotent), so their partition moves on meanwhile.
CREATE TABLE parked_events (
    id              bigserial PRIMARY KEY,
    handler         text NOT NULL,
    topic           text NOT NULL,
    partition       integer NOT NULL,
    "offset"        bigint NOT NULL,
    key             bytea,
    value           bytea NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}'::jsonb,
    reason          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    parked_at       timestamptz NOT NULL DEFAULT now(),
    retried_at      timestamptz,
    UNIQUE (topic, partition, "offset", handler)
);

-- The inbox is purged after a retention period, oldest first.
CREATE INDEX inbox_processed_at ON inbox (processed_at);
