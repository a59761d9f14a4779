-- The calendar (issue 8): expiry reminders sent (exactly once per contract, term, basis and lead time),
-- index series for 'uplift_index' renewals, and the indexes the daily scan needs.

-- One row per `contract.expiring` sent, written in the transaction that adds its outbox row: the
-- primary key makes a second run (a rerun, another replica) a no-op.
CREATE TABLE contract_reminders (
    contract_id  uuid NOT NULL REFERENCES contracts,
    term_end     date NOT NULL,
    basis        text NOT NULL CHECK (basis IN ('term_end', 'notice_deadline')),
    lead_days    integer NOT NULL CHECK (lead_days >= 0),
    due_on       date NOT NULL,
    sent_on      date NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contract_id, term_end, basis, lead_days)
);

-- Index series (e.g. 'KPI') by year: an 'uplift_index' renewal whose term ends in year Y multiplies
-- prices by value(Y) / value(Y - 1).
CREATE TABLE index_values (
    name        text NOT NULL,
    period      integer NOT NULL CHECK (period BETWEEN 1900 AND 2200),
    value       numeric(14, 4) NOT NULL CHECK (value > 0),
    entered_by  text,
    entered_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, period)
);

-- The daily scan looks only at open contracts whose notice deadline (<= term end) is near or past.
CREATE INDEX contracts_open_deadline ON contracts ((end_date - notice_days))
    WHERE status IN ('active', 'expiring');
