-- A disabled user cannot sign in; disabling it revokes its sessions.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- Server-side sessions: the cookie carries a random token, this table only its SHA-256 digest.
CREATE TABLE sessions (
    token_digest    text PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- Sign-in attempts in the current window (failed ones, and the one in flight), shared by every replica.
CREATE TABLE login_attempts (
    attempt_id      bigserial PRIMARY KEY,
    account         text NOT NULL,
    address         text NOT NULL,
    attempted_at    timestamptz NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (account, attempted_at);
CREATE INDEX login_attempts_address ON login_attempts (address, attempted_at);
CREATE INDEX login_attempts_time ON login_attempts (attempted_at);
