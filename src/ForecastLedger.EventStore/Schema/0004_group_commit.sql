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

-- A whole batch in one call, set-based: lock everything (append_lock_batch), read the streams', guards' and keys'
-- state once, decide every append in order in memory (exactly append_one's checks: a later append to the same stream
-- sees the earlier one's version; a repeated idempotency key replays the append that owns it, and a key released by a
-- rejected append is owned by the next one), then ONE insert of all events (seqs from the trigger, in append order),
-- ONE update of the streams, ONE update of the keys, one notify. Per-append arrays are indexed 1..n; the events of
-- append i are the next p_counts[i] elements of the event arrays. Returns one row per append, in order.
-- An error fails the call (and the caller's transaction): the caller then re-runs the batch one savepoint per append
-- with append_one, so a bad append never fails its neighbours and the common path pays for no subtransaction.
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
#variable_conflict use_column
DECLARE
    v_n        integer := coalesce(cardinality(p_stream_ids), 0);
    -- the batch's streams (all exist now: append_lock_batch pre-creates missing ones at version 0)
    s_ids      text[];
    s_ver      bigint[];
    s_head     bytea[];
    s_ts       timestamptz[];
    s_created  timestamptz[];
    s_type     text[];
    s_touched  boolean[];
    -- guard streams
    g_ids      text[];
    g_ver      bigint[];
    -- idempotency keys: version NULL = claimed by this batch and not owned (yet)
    k_keys     text[];
    k_hash     bytea[];
    k_ver      bigint[];
    k_first    bigint[];
    k_last     bigint[];
    k_owner    integer[];
    -- per append
    a_outcome  text[];
    a_ver      bigint[];
    a_lo       bigint[];
    a_first    bigint[];
    a_last     bigint[];
    a_replay   integer[];
    -- events to insert
    e_n        integer := 0;
    e_ids      uuid[] := '{}';
    e_stream   text[] := '{}';
    e_ver      bigint[] := '{}';
    e_type     text[] := '{}';
    e_data     jsonb[] := '{}';
    e_meta     jsonb[] := '{}';
    e_ts       timestamptz[] := '{}';
    e_content  bytea[] := '{}';
    e_prev     bytea[] := '{}';
    e_hash     bytea[] := '{}';
    -- keys owned by appends of this batch
    o_keys     text[] := '{}';
    o_hash     bytea[] := '{}';
    o_stream   text[] := '{}';
    o_ver      bigint[] := '{}';
    o_first    bigint[] := '{}';
    o_last     bigint[] := '{}';
    o_ts       timestamptz[] := '{}';
    v_offset   integer := 0;
    v_src      integer;
    v_key      text;
    v_k        integer;
    v_s        integer;
    v_g        integer;
    v_gv       bigint;
    v_cur      bigint;
    v_head     bytea;
    v_last     bigint;
    r          record;
BEGIN
    IF v_n = 0 THEN
        RETURN;
    END IF;

    PERFORM __SCHEMA__.append_lock_batch(p_idem_keys, p_idem_hashes, p_guard_ids, p_stream_ids, p_stream_types, p_timestamps[1]);

    SELECT array_agg(s.id), array_agg(s.version), array_agg(s.head_hash)
    INTO s_ids, s_ver, s_head
    FROM __SCHEMA__.streams s WHERE s.id = ANY(p_stream_ids);
    s_ts := array_fill(NULL::timestamptz, ARRAY[cardinality(s_ids)]);
    s_created := array_fill(NULL::timestamptz, ARRAY[cardinality(s_ids)]);
    s_type := array_fill(NULL::text, ARRAY[cardinality(s_ids)]);
    s_touched := array_fill(false, ARRAY[cardinality(s_ids)]);

    SELECT array_agg(s.id), array_agg(s.version) INTO g_ids, g_ver
    FROM __SCHEMA__.streams s WHERE s.id = ANY(p_guard_ids);

    SELECT array_agg(k.key), array_agg(k.request_hash), array_agg(k.stream_version), array_agg(k.first_seq), array_agg(k.last_seq)
    INTO k_keys, k_hash, k_ver, k_first, k_last
    FROM __SCHEMA__.idempotency_keys k WHERE k.key = ANY(p_idem_keys);
    k_owner := array_fill(NULL::integer, ARRAY[coalesce(cardinality(k_keys), 0)]);

    a_outcome := array_fill(NULL::text, ARRAY[v_n]);
    a_ver := array_fill(NULL::bigint, ARRAY[v_n]);
    a_lo := array_fill(NULL::bigint, ARRAY[v_n]);
    a_first := array_fill(NULL::bigint, ARRAY[v_n]);
    a_last := array_fill(NULL::bigint, ARRAY[v_n]);
    a_replay := array_fill(NULL::integer, ARRAY[v_n]);

    FOR i IN 1 .. v_n LOOP
        v_src := v_offset;
        v_offset := v_offset + p_counts[i];
        IF p_counts[i] IS NULL OR p_counts[i] < 1 THEN
            RAISE EXCEPTION 'an append needs at least one event' USING ERRCODE = '22023';
        END IF;

        -- 1. Idempotency.
        v_key := p_idem_keys[i];
        v_k := NULL;
        IF v_key IS NOT NULL THEN
            v_k := array_position(k_keys, v_key);
            IF v_k IS NULL THEN
                -- Neither claimed nor committed: its owner deleted it under us. Rare; the isolated path retries.
                RAISE EXCEPTION 'idempotency key changed during the batch' USING ERRCODE = '40001';
            END IF;
            IF k_ver[v_k] IS NOT NULL THEN
                a_outcome[i] := CASE WHEN k_hash[v_k] = p_idem_hashes[i] THEN 'replayed' ELSE 'idempotency_mismatch' END;
                a_ver[i] := k_ver[v_k];
                a_first[i] := k_first[v_k];
                a_last[i] := k_last[v_k];
                a_replay[i] := k_owner[v_k];
                CONTINUE;
            END IF;
        END IF;

        -- 2. The guard (share-locked by append_lock_batch). A rejected append leaves its key free for the next one.
        IF p_guard_ids[i] IS NOT NULL THEN
            v_g := array_position(g_ids, p_guard_ids[i]);
            v_gv := CASE WHEN v_g IS NULL THEN 0 ELSE g_ver[v_g] END;
            IF v_gv <> p_guard_versions[i] THEN
                a_outcome[i] := 'guard_failed';
                a_ver[i] := v_gv;
                CONTINUE;
            END IF;
        END IF;

        -- 3. Compare-and-set against the stream's version as this batch has left it (0 = does not exist).
        v_s := array_position(s_ids, p_stream_ids[i]);
        IF v_s IS NULL THEN
            RAISE EXCEPTION 'stream % was not locked', p_stream_ids[i] USING ERRCODE = '40001';
        END IF;
        v_cur := s_ver[v_s];
        IF (p_expected[i] = 0 AND v_cur <> 0) OR (p_expected[i] > 0 AND v_cur <> p_expected[i]) THEN
            a_outcome[i] := 'conflict';
            a_ver[i] := v_cur;
            CONTINUE;
        END IF;

        -- 4. Extend the chain: hash = SHA-256(prev_hash || int8 big-endian version || content_hash).
        v_head := s_head[v_s];
        FOR j IN 1 .. p_counts[i] LOOP
            e_n := e_n + 1;
            e_ids[e_n] := p_ids[v_src + j];
            e_stream[e_n] := p_stream_ids[i];
            e_ver[e_n] := v_cur + j;
            e_type[e_n] := p_types[v_src + j];
            e_data[e_n] := p_data[v_src + j];
            e_meta[e_n] := p_metadata[v_src + j];
            e_ts[e_n] := p_timestamps[i];
            e_content[e_n] := p_content_hashes[v_src + j];
            e_prev[e_n] := v_head;
            v_head := sha256(v_head || int8send(v_cur + j) || p_content_hashes[v_src + j]);
            e_hash[e_n] := v_head;
        END LOOP;

        IF v_cur = 0 THEN
            s_created[v_s] := p_timestamps[i];
            s_type[v_s] := p_stream_types[i];
        END IF;
        s_ver[v_s] := v_cur + p_counts[i];
        s_head[v_s] := v_head;
        s_ts[v_s] := p_timestamps[i];
        s_touched[v_s] := true;
        a_outcome[i] := 'appended';
        a_ver[i] := v_cur + p_counts[i];
        a_lo[i] := v_cur + 1;
        IF v_k IS NOT NULL THEN
            k_ver[v_k] := a_ver[i];
            k_hash[v_k] := p_idem_hashes[i];
            k_owner[v_k] := i;
        END IF;
    END LOOP;

    IF e_n > 0 THEN
        -- 5. One insert, in append order: seq_id comes from the trigger, under the global-order lock.
        FOR r IN
            WITH inserted AS (
                INSERT INTO __SCHEMA__.events (seq_id, id, stream_id, version, type, data, metadata, "timestamp",
                                               content_hash, prev_hash, hash)
                SELECT 0, u.id, u.s, u.v, u.t, u.d, u.m, u.ts, u.c, u.p, u.h
                FROM unnest(e_ids, e_stream, e_ver, e_type, e_data, e_meta, e_ts, e_content, e_prev, e_hash)
                     WITH ORDINALITY AS u(id, s, v, t, d, m, ts, c, p, h, o)
                ORDER BY u.o
                RETURNING seq_id, stream_id, version)
            SELECT a.o::integer AS o, min(x.seq_id) AS f, max(x.seq_id) AS l
            FROM unnest(p_stream_ids, a_lo, a_ver) WITH ORDINALITY AS a(s, lo, hi, o)
            JOIN inserted x ON x.stream_id = a.s AND x.version BETWEEN a.lo AND a.hi
            WHERE a.lo IS NOT NULL
            GROUP BY a.o
        LOOP
            a_first[r.o] := r.f;
            a_last[r.o] := r.l;
            v_last := greatest(v_last, r.l);
        END LOOP;

        UPDATE __SCHEMA__.streams AS s
        SET version = u.v, head_hash = u.h, "timestamp" = u.ts,
            created = coalesce(u.c, s.created), type = coalesce(u.t, s.type)
        FROM unnest(s_ids, s_ver, s_head, s_ts, s_created, s_type, s_touched) AS u(id, v, h, ts, c, t, touched)
        WHERE s.id = u.id AND u.touched;

        INSERT INTO __SCHEMA__.event_types (alias, first_seen)
        SELECT DISTINCT t, p_timestamps[1] FROM unnest(e_type) AS t
        ON CONFLICT (alias) DO NOTHING;
    END IF;

    -- 6. Replays of an append of this batch carry its seqs; keys owned by this batch record their result.
    FOR i IN 1 .. v_n LOOP
        IF a_replay[i] IS NOT NULL THEN
            a_first[i] := a_first[a_replay[i]];
            a_last[i] := a_last[a_replay[i]];
        END IF;
    END LOOP;
    FOR q IN 1 .. coalesce(cardinality(k_keys), 0) LOOP
        IF k_owner[q] IS NOT NULL THEN
            o_keys := o_keys || k_keys[q];
            o_hash := o_hash || k_hash[q];
            o_stream := o_stream || p_stream_ids[k_owner[q]];
            o_ver := o_ver || k_ver[q];
            o_first := o_first || a_first[k_owner[q]];
            o_last := o_last || a_last[k_owner[q]];
            o_ts := o_ts || p_timestamps[k_owner[q]];
        END IF;
    END LOOP;
    IF cardinality(o_keys) > 0 THEN
        UPDATE __SCHEMA__.idempotency_keys AS k
        SET request_hash = u.h, stream_id = u.s, stream_version = u.v, first_seq = u.f, last_seq = u.l, created = u.ts
        FROM unnest(o_keys, o_hash, o_stream, o_ver, o_first, o_last, o_ts) AS u(key, h, s, v, f, l, ts)
        WHERE k.key = u.key;
    END IF;

    PERFORM __SCHEMA__.append_finish_batch(p_idem_keys, p_stream_ids, v_last);

    FOR i IN 1 .. v_n LOOP
        ord := i;
        outcome := a_outcome[i];
        stream_version := a_ver[i];
        first_seq := a_first[i];
        last_seq := a_last[i];
        RETURN NEXT;
    END LOOP;
END
$fn$;
