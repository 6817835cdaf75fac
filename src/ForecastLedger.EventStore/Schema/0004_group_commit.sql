-- Group commit (docs/adr/0007-group-commit.md): many independent appends in one transaction, one round trip, one
-- fsync, each append with its own outcome. The single-append function (append_events) is unchanged.
--
-- Locking protocol, the same for every path that appends, so that no two appends can deadlock:
--   idempotency keys, then stream rows, then the global-order (seq) advisory lock, which is held to commit.
-- append_events takes one of each in that order. A batch takes ALL its keys (sorted), then all guard rows (FOR SHARE,
-- sorted), then all its stream rows (sorted), before its first event insert takes the seq lock; so a batch never
-- waits for a row lock while holding the seq lock.

-- Phase 1 of a batch: claim the batch's new idempotency keys and lock every row it will touch.
-- A claimed key has stream_version NULL until an append of this batch owns it (committed keys never do).
-- Stream rows that may be created (any expected version) are pre-created at version 0; append_finish_batch removes
-- the ones no append used, so a version-0 row is never committed.
CREATE FUNCTION __SCHEMA__.append_lock_batch(
    p_keys        text[],
    p_key_hashes  bytea[],
    p_guard_ids   text[],
    p_stream_ids  text[],
    p_stream_types text[],
    p_timestamp   timestamptz)
RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO __SCHEMA__.idempotency_keys (key, request_hash, created)
    SELECT DISTINCT ON (u.k) u.k, u.h, p_timestamp
    FROM unnest(p_keys, p_key_hashes) AS u(k, h)
    WHERE u.k IS NOT NULL
    ORDER BY u.k
    ON CONFLICT (key) DO NOTHING;

    PERFORM 1 FROM __SCHEMA__.streams s WHERE s.id = ANY(p_guard_ids) ORDER BY s.id FOR SHARE;

    -- One statement, in id order: creates the missing rows and locks the existing ones (ON CONFLICT DO UPDATE locks
    -- the conflicting row even when its WHERE is false, and writes nothing).
    INSERT INTO __SCHEMA__.streams AS s (id, type, version, created, "timestamp", head_hash)
    SELECT DISTINCT ON (u.id) u.id, u.type, 0, p_timestamp, p_timestamp, decode(repeat('00', 32), 'hex')
    FROM unnest(p_stream_ids, p_stream_types) AS u(id, type)
    ORDER BY u.id
    ON CONFLICT (id) DO UPDATE SET version = s.version WHERE false;
END
$fn$;

-- One append inside a batch: the same outcomes and the same checks, in the same order, as append_events, plus an
-- optional guard: another stream (e.g. the question a forecast is about) must still be at p_guard_version, else the
-- outcome is 'guard_failed' and nothing is written. Expects append_lock_batch to have run in this transaction.
-- Does not notify: append_finish_batch notifies once per batch.
CREATE FUNCTION __SCHEMA__.append_one(
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
    p_idem_hash      bytea,
    p_guard_id       text,
    p_guard_version  bigint,
    OUT o_outcome    text,
    OUT o_version    bigint,
    OUT o_first_seq  bigint,
    OUT o_last_seq   bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_count    bigint := coalesce(cardinality(p_ids), 0);
    v_current  bigint;
    v_head     bytea;
    v_guard    bigint;
    v_prevs    bytea[] := '{}';
    v_hashes   bytea[] := '{}';
    v_existing __SCHEMA__.idempotency_keys%ROWTYPE;
    v_genesis  constant bytea := decode(repeat('00', 32), 'hex');
BEGIN
    IF v_count = 0 THEN
        RAISE EXCEPTION 'an append needs at least one event' USING ERRCODE = '22023';
    END IF;

    -- 1. Idempotency. A key claimed by this batch and not yet owned (stream_version NULL) is taken by this append;
    --    a key already used (before, or by an earlier append of this batch) replays or mismatches.
    IF p_idem_key IS NOT NULL THEN
        LOOP
            INSERT INTO __SCHEMA__.idempotency_keys (key, request_hash, created)
            VALUES (p_idem_key, p_idem_hash, p_timestamp)
            ON CONFLICT (key) DO NOTHING;
            EXIT WHEN FOUND;
            SELECT * INTO v_existing FROM __SCHEMA__.idempotency_keys k WHERE k.key = p_idem_key;
            CONTINUE WHEN NOT FOUND;  -- deleted by its owner since: claim it again
            IF v_existing.stream_version IS NULL THEN
                UPDATE __SCHEMA__.idempotency_keys SET request_hash = p_idem_hash, created = p_timestamp
                WHERE key = p_idem_key;
                EXIT;
            END IF;
            o_outcome := CASE WHEN v_existing.request_hash = p_idem_hash THEN 'replayed' ELSE 'idempotency_mismatch' END;
            o_version := v_existing.stream_version;
            o_first_seq := v_existing.first_seq;
            o_last_seq := v_existing.last_seq;
            RETURN;
        END LOOP;
    END IF;

    -- 2. The guard, under a share lock on its row: a concurrent writer to the guard stream waits for this commit.
    IF p_guard_id IS NOT NULL THEN
        SELECT s.version INTO v_guard FROM __SCHEMA__.streams s WHERE s.id = p_guard_id FOR SHARE;
        IF coalesce(v_guard, 0) <> p_guard_version THEN
            IF p_idem_key IS NOT NULL THEN
                DELETE FROM __SCHEMA__.idempotency_keys WHERE key = p_idem_key;
            END IF;
            o_outcome := 'guard_failed';
            o_version := coalesce(v_guard, 0);
            RETURN;
        END IF;
    END IF;

    -- 3. Compare-and-set on the stream row (locked by append_lock_batch; version 0 = pre-created, not yet existing).
    SELECT s.version, s.head_hash INTO v_current, v_head
    FROM __SCHEMA__.streams s WHERE s.id = p_stream_id FOR UPDATE;
    IF NOT FOUND AND (p_expected IS NULL OR p_expected = 0) THEN
        INSERT INTO __SCHEMA__.streams (id, type, version, created, "timestamp", head_hash)
        VALUES (p_stream_id, p_stream_type, 0, p_timestamp, p_timestamp, v_genesis)
        ON CONFLICT (id) DO NOTHING;
        SELECT s.version, s.head_hash INTO v_current, v_head
        FROM __SCHEMA__.streams s WHERE s.id = p_stream_id FOR UPDATE;
    END IF;
    IF v_current IS NULL
       OR (p_expected = 0 AND v_current <> 0)
       OR (p_expected > 0 AND v_current <> p_expected) THEN
        IF p_idem_key IS NOT NULL THEN
            DELETE FROM __SCHEMA__.idempotency_keys WHERE key = p_idem_key;
        END IF;
        o_outcome := 'conflict';
        o_version := coalesce(v_current, 0);
        RETURN;
    END IF;

    -- 4. Extend the chain under the row lock: hash = SHA-256(prev_hash || int8 big-endian version || content_hash).
    FOR i IN 1 .. v_count LOOP
        v_prevs[i] := v_head;
        v_head := sha256(v_head || int8send(v_current + i) || p_content_hashes[i]);
        v_hashes[i] := v_head;
    END LOOP;

    -- 5. Set-based insert; seq_id comes from the trigger, under the global-order lock.
    WITH inserted AS (
        INSERT INTO __SCHEMA__.events (seq_id, id, stream_id, version, type, data, metadata, "timestamp",
                                       content_hash, prev_hash, hash)
        SELECT 0, u.id, p_stream_id, v_current + u.ord, u.type, u.data, u.metadata, p_timestamp,
               u.content_hash, u.prev_hash, u.hash
        FROM unnest(p_ids, p_types, p_data, p_metadata, p_content_hashes, v_prevs, v_hashes)
             WITH ORDINALITY AS u(id, type, data, metadata, content_hash, prev_hash, hash, ord)
        ORDER BY u.ord
        RETURNING seq_id)
    SELECT min(seq_id), max(seq_id) INTO o_first_seq, o_last_seq FROM inserted;

    UPDATE __SCHEMA__.streams
    SET version = v_current + v_count, "timestamp" = p_timestamp, head_hash = v_head,
        type = CASE WHEN v_current = 0 THEN p_stream_type ELSE type END,
        created = CASE WHEN v_current = 0 THEN p_timestamp ELSE created END
    WHERE id = p_stream_id;

    INSERT INTO __SCHEMA__.event_types (alias, first_seen)
    SELECT DISTINCT t, p_timestamp FROM unnest(p_types) AS t
    ON CONFLICT (alias) DO NOTHING;

    IF p_idem_key IS NOT NULL THEN
        UPDATE __SCHEMA__.idempotency_keys
        SET stream_id = p_stream_id, stream_version = v_current + v_count, first_seq = o_first_seq, last_seq = o_last_seq
        WHERE key = p_idem_key;
    END IF;

    o_outcome := 'appended';
    o_version := v_current + v_count;
END
$fn$;

-- Last phase of a batch: forget claims no append used, drop pre-created streams no append used, notify once.
CREATE FUNCTION __SCHEMA__.append_finish_batch(p_keys text[], p_stream_ids text[], p_last_seq bigint)
RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM __SCHEMA__.idempotency_keys WHERE key = ANY(p_keys) AND stream_version IS NULL;
    DELETE FROM __SCHEMA__.streams WHERE id = ANY(p_stream_ids) AND version = 0;
    IF p_last_seq IS NOT NULL THEN
        PERFORM pg_notify('__SCHEMA___events', p_last_seq::text);
    END IF;
END
$fn$;

-- A whole batch in one call: lock, each append in order (a later append to the same stream sees the earlier one's
-- version; a repeated idempotency key replays), finish. Per-append arrays are indexed 1..n; the events of append i
-- are the next p_counts[i] elements of the event arrays. Returns one row per append, in order. An error in any append
-- fails the call (and the caller's transaction): the caller then re-runs the batch one savepoint per append, so a
-- bad append never fails its neighbours, and the common path pays for no subtransaction.
CREATE FUNCTION __SCHEMA__.append_events_batch(
    p_stream_ids     text[],
    p_stream_types   text[],
    p_expected       bigint[],
    p_timestamps     timestamptz[],
    p_idem_keys      text[],
    p_idem_hashes    bytea[],
    p_guard_ids      text[],
    p_guard_versions bigint[],
    p_counts         integer[],
    p_ids            uuid[],
    p_types          text[],
    p_data           jsonb[],
    p_metadata       jsonb[],
    p_content_hashes bytea[])
RETURNS TABLE (ord integer, outcome text, stream_version bigint, first_seq bigint, last_seq bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_n      integer := coalesce(cardinality(p_stream_ids), 0);
    v_offset integer := 0;
    v_last   bigint;
    v_from   integer;
    v_to     integer;
    r        record;
BEGIN
    IF v_n = 0 THEN
        RETURN;
    END IF;

    PERFORM __SCHEMA__.append_lock_batch(p_idem_keys, p_idem_hashes, p_guard_ids, p_stream_ids, p_stream_types, p_timestamps[1]);

    FOR i IN 1 .. v_n LOOP
        v_from := v_offset + 1;
        v_to := v_offset + p_counts[i];
        v_offset := v_to;
        SELECT * INTO r FROM __SCHEMA__.append_one(
            p_stream_ids[i], p_stream_types[i], p_expected[i],
            p_ids[v_from:v_to], p_types[v_from:v_to], p_data[v_from:v_to], p_metadata[v_from:v_to],
            p_timestamps[i], p_content_hashes[v_from:v_to],
            p_idem_keys[i], p_idem_hashes[i], p_guard_ids[i], p_guard_versions[i]);
        IF r.o_outcome = 'appended' THEN
            v_last := r.o_last_seq;
        END IF;
        ord := i;
        outcome := r.o_outcome;
        stream_version := r.o_version;
        first_seq := r.o_first_seq;
        last_seq := r.o_last_seq;
        RETURN NEXT;
    END LOOP;

    PERFORM __SCHEMA__.append_finish_batch(p_idem_keys, p_stream_ids, v_last);
END
$fn$;
