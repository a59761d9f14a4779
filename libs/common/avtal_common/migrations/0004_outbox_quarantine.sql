-- Relay isolation: a row that can never be sent (too large, unknown or forbidden topic) is quarantined:
-- kept, listed (/outbox/quarantined), and holding the later rows of its key until staff retry or discard it.
ALTER TABLE outbox ADD COLUMN quarantined_at timestamptz;
ALTER TABLE outbox ADD COLUMN last_attempt_at timestamptz;
-- Almost always empty: the relay's "is this key held?" probe costs nothing.
CREATE INDEX outbox_quarantined ON outbox (key, id) WHERE quarantined_at IS NOT NULL AND published_at IS NULL;
