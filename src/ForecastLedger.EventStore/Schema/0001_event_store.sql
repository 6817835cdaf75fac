-- ForecastLedger event store, version 1. Applied once, under the migration advisory lock.
-- __SCHEMA__ is replaced by the store's schema name (validated as a plain identifier).

CREATE TABLE __SCHEMA__.streams (
    id          text        PRIMARY KEY,
    type        text        NOT NULL,
    version     bigint      NOT NULL,
    created     timestamptz NOT NULL,
    "timestamp" timestamptz NOT NULL,
    is_archived boolean     NOT NULL DEFAULT false,
    head_hash   bytea       NOT NULL
);

CREATE SEQUENCE __SCHEMA__.events_seq AS bigint;

CREATE TABLE __SCHEMA__.events (
    seq_id       bigint      PRIMARY KEY,
    id           uuid        NOT NULL,
    stream_id    text        NOT NULL,
    version      bigint      NOT NULL,
    type         text        NOT NULL,
    data         jsonb       NOT NULL,
    metadata     jsonb       NOT NULL,
    "timestamp"  timestamptz NOT NULL,
    content_hash bytea       NOT NULL,
    prev_hash    bytea       NOT NULL,
    hash         bytea       NOT NULL,
    -- Last line of defence against two writers winning one version (the append function's row lock is the first).
    UNIQUE (stream_id, version)
);

-- Every alias ever appended, so start-up can check the type registry without scanning the events table.
CREATE TABLE __SCHEMA__.event_types (
    alias     text        PRIMARY KEY,
    first_seen timestamptz NOT NULL
);

CREATE TABLE __SCHEMA__.idempotency_keys (
    key            text        PRIMARY KEY,
    request_hash   bytea       NOT NULL,
    stream_id      text,
    stream_version bigint,
    first_seq      bigint,
    last_seq       bigint,
    created        timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_created ON __SCHEMA__.idempotency_keys (created);

CREATE TABLE __SCHEMA__.projection_progress (
    name         text        PRIMARY KEY,
    last_seq_id  bigint      NOT NULL DEFAULT 0,
    last_updated timestamptz NOT NULL DEFAULT clock_timestamp(),
    status       text        NOT NULL DEFAULT 'running',
    error        text,
    error_seq_id bigint
);

-- Seq ranges that will never be filled (an append rolled back after taking numbers). Kept for auditors.
CREATE TABLE __SCHEMA__.dead_gaps (
    from_seq    bigint      NOT NULL,
    to_seq      bigint      NOT NULL,
    declared_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (from_seq)
);

-- Global order (docs/adr/0002-global-order.md): every path that inserts an event takes one transaction-scoped
-- advisory lock before it takes a sequence number, and holds it until commit. Seq order is then commit order,
-- so a reader that has seen seq N can never later find a committed event below N. The trigger makes the rule
-- hold for imports and ad-hoc scripts too, not just the append function: seq_id is always assigned here.
CREATE FUNCTION __SCHEMA__.assign_seq_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('forecastledger:seq:__SCHEMA__', 0));
    NEW.seq_id := nextval('__SCHEMA__.events_seq');
    RETURN NEW;
END
$fn$;

CREATE TRIGGER events_assign_seq_id BEFORE INSERT ON __SCHEMA__.events
    FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.assign_seq_id();

-- One round trip per append. p_expected: NULL = any version (creates the stream if missing),
-- 0 = the stream must not exist (StartStream), n > 0 = the stream must be at exactly version n.
-- Outcomes: appended | replayed | conflict | idempotency_mismatch. Nothing is appended unless the outcome is
-- 'appended', and a rejected append takes no sequence numbers.
CREATE FUNCTION __SCHEMA__.append_events(
    p_stream_id      text,
    p_stream_type    text,
    p_expected       bigint,
    p_ids            uuid[],
    p_types          text[],
    p_data           jsonb[],
    p_metadata       jsonb[],
    p_timestamp      timestamptz,
    p_content_hashes bytea[],
    p_idem_key       text,
    p_idem_hash      bytea)
RETURNS TABLE (outcome text, stream_version bigint, first_seq bigint, last_seq bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_count    bigint := cardinality(p_ids);
    v_current  bigint;
    v_head     bytea;
    v_prevs    bytea[] := '{}';
    v_hashes   bytea[] := '{}';
    v_first    bigint;
    v_last     bigint;
    v_existing __SCHEMA__.idempotency_keys%ROWTYPE;
    v_genesis  constant bytea := decode(repeat('00', 32), 'hex');
BEGIN
    IF v_count = 0 THEN
        RAISE EXCEPTION 'an append needs at least one event' USING ERRCODE = '22023';
    END IF;

    -- 1. Idempotency: a concurrent duplicate blocks on the primary key until the first commits, then replays.
    IF p_idem_key IS NOT NULL THEN
        INSERT INTO __SCHEMA__.idempotency_keys (key, request_hash, created)
        VALUES (p_idem_key, p_idem_hash, p_timestamp)
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            SELECT * INTO v_existing FROM __SCHEMA__.idempotency_keys WHERE key = p_idem_key;
            IF v_existing.request_hash = p_idem_hash THEN
                RETURN QUERY SELECT 'replayed'::text, v_existing.stream_version, v_existing.first_seq, v_existing.last_seq;
            ELSE
                RETURN QUERY SELECT 'idempotency_mismatch'::text, v_existing.stream_version, v_existing.first_seq, v_existing.last_seq;
            END IF;
            RETURN;
        END IF;
    END IF;

    -- 2. Compare-and-set on the stream row. The row lock serialises writers on one stream; a loser waits,
    --    re-reads the committed version, and fails here, before any sequence number is taken.
    IF p_expected = 0 THEN
        INSERT INTO __SCHEMA__.streams (id, type, version, created, "timestamp", head_hash)
        VALUES (p_stream_id, p_stream_type, 0, p_timestamp, p_timestamp, v_genesis)
        ON CONFLICT (id) DO NOTHING;
        IF NOT FOUND THEN
            SELECT s.version INTO v_current FROM __SCHEMA__.streams s WHERE s.id = p_stream_id;
            IF p_idem_key IS NOT NULL THEN
                DELETE FROM __SCHEMA__.idempotency_keys WHERE key = p_idem_key;
            END IF;
            RETURN QUERY SELECT 'conflict'::text, v_current, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
        v_current := 0;
        v_head := v_genesis;
    ELSE
        SELECT s.version, s.head_hash INTO v_current, v_head
        FROM __SCHEMA__.streams s WHERE s.id = p_stream_id FOR UPDATE;
        IF NOT FOUND AND p_expected IS NULL THEN
            INSERT INTO __SCHEMA__.streams (id, type, version, created, "timestamp", head_hash)
            VALUES (p_stream_id, p_stream_type, 0, p_timestamp, p_timestamp, v_genesis)
            ON CONFLICT (id) DO NOTHING;
            SELECT s.version, s.head_hash INTO v_current, v_head
            FROM __SCHEMA__.streams s WHERE s.id = p_stream_id FOR UPDATE;
        END IF;
        IF v_current IS NULL OR (p_expected IS NOT NULL AND v_current <> p_expected) THEN
            IF p_idem_key IS NOT NULL THEN
                DELETE FROM __SCHEMA__.idempotency_keys WHERE key = p_idem_key;
            END IF;
            RETURN QUERY SELECT 'conflict'::text, COALESCE(v_current, 0), NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    -- 3. Extend the stream's hash chain under the row lock, so two writers can never fork it.
    --    hash = SHA-256(prev_hash || int8 big-endian version || content_hash); see docs/tamper-evidence.md.
    FOR i IN 1 .. v_count LOOP
        v_prevs[i] := v_head;
        v_head := sha256(v_head || int8send(v_current + i) || p_content_hashes[i]);
        v_hashes[i] := v_head;
    END LOOP;

    -- 4. Set-based insert. seq_id comes from the trigger, under the global-order lock.
    WITH inserted AS (
        INSERT INTO __SCHEMA__.events (seq_id, id, stream_id, version, type, data, metadata, "timestamp",
                                       content_hash, prev_hash, hash)
        SELECT 0, u.id, p_stream_id, v_current + u.ord, u.type, u.data, u.metadata, p_timestamp,
               u.content_hash, u.prev_hash, u.hash
        FROM unnest(p_ids, p_types, p_data, p_metadata, p_content_hashes, v_prevs, v_hashes)
             WITH ORDINALITY AS u(id, type, data, metadata, content_hash, prev_hash, hash, ord)
        ORDER BY u.ord
        RETURNING seq_id)
    SELECT min(seq_id), max(seq_id) INTO v_first, v_last FROM inserted;

    UPDATE __SCHEMA__.streams
    SET version = v_current + v_count, "timestamp" = p_timestamp, head_hash = v_head
    WHERE id = p_stream_id;

    INSERT INTO __SCHEMA__.event_types (alias, first_seen)
    SELECT DISTINCT t, p_timestamp FROM unnest(p_types) AS t
    ON CONFLICT (alias) DO NOTHING;

    IF p_idem_key IS NOT NULL THEN
        UPDATE __SCHEMA__.idempotency_keys
        SET stream_id = p_stream_id, stream_version = v_current + v_count, first_seq = v_first, last_seq = v_last
        WHERE key = p_idem_key;
    END IF;

    -- One notification per append call, carrying the last seq; projections wake on it and poll as a fallback.
    PERFORM pg_notify('__SCHEMA___events', v_last::text);

    RETURN QUERY SELECT 'appended'::text, v_current + v_count, v_first, v_last;
END
$fn$;
