-- Identity and access, version 2. Applied once, under the migration advisory lock.
-- Both tables are written in the same transaction as the ledger events that record the change
-- (forecaster_registered, forecaster_bot_flag_changed, api_key_issued, api_key_revoked).

-- Forecasters as the API looks them up. The unique handle is what makes "the handle is unique" true under races.
CREATE TABLE __SCHEMA__.forecasters (
    id            uuid        PRIMARY KEY,
    handle        text        NOT NULL,
    display_name  text        NOT NULL,
    is_bot        boolean     NOT NULL DEFAULT false,
    registered_at timestamptz NOT NULL,
    CONSTRAINT forecasters_handle_unique UNIQUE (handle)
);

-- API keys: only SHA-256 of the key is kept (docs/adr/0005-api-key-hashing.md). Each request costs one lookup by
-- the public prefix.
CREATE TABLE __SCHEMA__.api_keys (
    id            uuid        PRIMARY KEY,
    prefix        text        NOT NULL,
    secret_hash   bytea       NOT NULL CHECK (octet_length(secret_hash) = 32),
    role          text        NOT NULL CHECK (role IN ('forecaster', 'auditor', 'admin')),
    forecaster_id uuid        REFERENCES __SCHEMA__.forecasters (id),
    label         text        NOT NULL,
    created       timestamptz NOT NULL,
    created_by    text        NOT NULL,
    revoked_at    timestamptz,
    revoked_by    text,
    last_used_at  timestamptz,
    CONSTRAINT api_keys_prefix_unique UNIQUE (prefix),
    -- A forecaster key acts as exactly one forecaster; admin and auditor keys act as nobody's forecaster.
    CONSTRAINT api_keys_forecaster_role CHECK ((role = 'forecaster') = (forecaster_id IS NOT NULL))
);
CREATE INDEX api_keys_active_by_role ON __SCHEMA__.api_keys (role) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_by_forecaster ON __SCHEMA__.api_keys (forecaster_id) WHERE forecaster_id IS NOT NULL;
