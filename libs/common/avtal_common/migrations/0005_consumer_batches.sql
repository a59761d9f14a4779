-- A consumer's batch starts, counted per partition BEFORE its handlers run, in a statement of their own,
-- and marked finished with the batch's last transaction: a start left unfinished (a crash, a kill, a hang)
-- makes the next batch overlapping it run event by event, where consumer_attempts counts each event.
-- One row per partition instead of one per event (consumer_attempts.deliveries, no longer written):
-- counting a batch of 200 cost 3-4 ms of its ~70. UNLOGGED for the same reason as consumer_attempts.
CREATE UNLOGGED TABLE consumer_batches (
    group_id        text NOT NULL,
    topic           text NOT NULL,
    partition       integer NOT NULL,
    first_offset    bigint NOT NULL,  -- the offsets started and not yet finished
    last_offset     bigint NOT NULL,
    starts          integer NOT NULL,  -- starts of those offsets; 0 once they finished
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);
