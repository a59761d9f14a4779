-- E-mails to send: written by event handlers, sent by the mailer loop (at-least-once over SMTP).
CREATE TABLE emails (
    email_id            uuid PRIMARY KEY,
    cause_event_id      uuid NOT NULL,
    kind                text NOT NULL,
    recipient           text NOT NULL,
    subject             text NOT NULL,
    body_text           text NOT NULL,
    attachment_name     text,
    attachment_path     text,
    attachment_sha256   text,
    correlation_id      text,
    status              text NOT NULL DEFAULT 'pending',
    attempts            integer NOT NULL DEFAULT 0,
    last_error          text,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cause_event_id, kind)
);
CREATE INDEX emails_pending ON emails (next_attempt_at) WHERE status = 'pending';
