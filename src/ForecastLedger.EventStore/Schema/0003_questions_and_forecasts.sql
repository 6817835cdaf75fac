-- Read models written inline, in the same transaction as the events they come from.

-- One row per question: the list, filters and lookups by slug read this, never the events table.
CREATE TABLE __SCHEMA__.questions (
    id          uuid        PRIMARY KEY,
    slug        text        NOT NULL UNIQUE,
    kind        text        NOT NULL,
    state       text        NOT NULL,  -- published | closed | resolved | annulled (scheduled/open are derived from the clock)
    opens_at    timestamptz NOT NULL,
    closes_at   timestamptz NOT NULL,
    tags        text[]      NOT NULL,
    version     bigint      NOT NULL,  -- the question stream's version: the ETag
    last_seq    bigint      NOT NULL,
    document    jsonb       NOT NULL,  -- the question resource as served
    updated     timestamptz NOT NULL
);
CREATE INDEX questions_page ON __SCHEMA__.questions (closes_at, id);
CREATE INDEX questions_tags ON __SCHEMA__.questions USING gin (tags);

-- Every forecast and withdrawal, by question: a question's full history without scanning the events table.
-- Insert-only, one row per event, so concurrent forecasters never contend on a shared row.
CREATE TABLE __SCHEMA__.forecast_history (
    seq_id        bigint      PRIMARY KEY,
    question_id   uuid        NOT NULL,
    forecaster_id uuid        NOT NULL,
    forecast_id   uuid        NOT NULL,
    kind          text        NOT NULL,  -- submitted | withdrawn
    probabilities integer[],
    rationale     text,
    at            timestamptz NOT NULL,
    version       bigint      NOT NULL   -- the version in the (question, forecaster) stream
);
CREATE INDEX forecast_history_question ON __SCHEMA__.forecast_history (question_id, seq_id);
