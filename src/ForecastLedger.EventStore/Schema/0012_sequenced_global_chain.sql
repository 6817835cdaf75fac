-- Issue 12 (docs/adr/0024-global-chain-sequenced-below-the-high-water-mark.md): appends no longer take a global lock,
-- so seq order is no longer commit order, and the global chain can no longer be extended by a trigger on insert. One
-- sequencer (Marten's async daemon, HotCold: one node at a time) chains events in seq order once every lower seq is
-- either committed or known dead (Marten's high-water mark), into a table of its own. Readers see the ledger through
-- the events view, which shows sequenced events only: what they read at a position never changes afterwards.

-- 1. The global chain leaves mt_events' headers for a table of its own. Existing links move over unchanged.
CREATE TABLE __SCHEMA__.global_chain (
    seq_id      bigint PRIMARY KEY,
    global_prev bytea  NOT NULL,
    global_hash bytea  NOT NULL
);

INSERT INTO __SCHEMA__.global_chain (seq_id, global_prev, global_hash)
SELECT seq_id, decode(headers ->> 'fl_global_prev', 'base64'), decode(headers ->> 'fl_global_hash', 'base64')
FROM __SCHEMA__.mt_events
WHERE type <> 'tombstone' AND headers ? 'fl_global_hash'
ORDER BY seq_id;

DROP TRIGGER mt_events_global_chain ON __SCHEMA__.mt_events;
DROP FUNCTION __SCHEMA__.extend_global_chain();

CREATE TRIGGER global_chain_append_only BEFORE UPDATE OR DELETE ON __SCHEMA__.global_chain
    FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.audit_append_only();

CREATE TRIGGER global_chain_no_truncate BEFORE TRUNCATE ON __SCHEMA__.global_chain
    FOR EACH STATEMENT EXECUTE FUNCTION __SCHEMA__.audit_append_only();

-- 2. The sequencer's step: chains the given events (one page of the daemon, every one of them committed and below the
--    high-water mark) after the chain's head, in seq order. Seqs at or below the head are ignored, so a page delivered
--    twice (a failover) chains nothing twice; Marten's tombstones (rows it writes into the numbers of a failed append)
--    are not ledger events and carry no chain. The transaction lock keeps two sequencers that overlap during a
--    failover from interleaving; only sequencers take it. Readers and projection daemons are woken on commit.
CREATE FUNCTION __SCHEMA__.sequence_global_chain(p_seqs bigint[]) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    v_head_seq bigint;
    v_prev     bytea;
    v_hash     bytea;
    v_count    bigint := 0;
    r          record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('forecastledger:global_chain:__SCHEMA__', 0));
    SELECT seq_id, global_hash INTO v_head_seq, v_prev FROM __SCHEMA__.global_chain ORDER BY seq_id DESC LIMIT 1;
    v_head_seq := COALESCE(v_head_seq, 0);
    v_prev := COALESCE(v_prev, decode(repeat('00', 32), 'hex'));
    FOR r IN
        SELECT e.seq_id, decode(e.headers ->> 'fl_hash', 'base64') AS hash
        FROM __SCHEMA__.mt_events e
        WHERE e.seq_id = ANY (p_seqs) AND e.seq_id > v_head_seq AND e.type <> 'tombstone'
        ORDER BY e.seq_id
    LOOP
        v_hash := sha256(v_prev || int8send(r.seq_id) || r.hash);
        INSERT INTO __SCHEMA__.global_chain (seq_id, global_prev, global_hash) VALUES (r.seq_id, v_prev, v_hash);
        v_prev := v_hash;
        v_count := v_count + 1;
    END LOOP;
    IF v_count > 0 THEN
        PERFORM pg_notify('__SCHEMA___events', 'sequenced');
    END IF;
    RETURN v_count;
END
$fn$;

-- 3. Readers see sequenced events only (the inner join): a position below the chain's head is final.
CREATE OR REPLACE VIEW __SCHEMA__.events AS
SELECT e.seq_id, e.id, e.stream_id, e.version, e.type, e.data,
       COALESCE(e.headers -> 'fl_metadata', '{}'::jsonb) AS metadata,
       e."timestamp",
       decode(e.headers ->> 'fl_content_hash', 'base64') AS content_hash,
       decode(e.headers ->> 'fl_prev_hash', 'base64') AS prev_hash,
       decode(e.headers ->> 'fl_hash', 'base64') AS hash,
       g.global_prev,
       g.global_hash
FROM __SCHEMA__.mt_events e JOIN __SCHEMA__.global_chain g ON g.seq_id = e.seq_id
WHERE e.type <> 'tombstone';

-- 4. An existing ledger is sequenced up to its last event already: the daemon starts there, not at zero.
INSERT INTO __SCHEMA__.mt_event_progression (name, last_seq_id, last_updated)
SELECT n, s, now()
FROM (SELECT COALESCE(max(seq_id), 0) AS s FROM __SCHEMA__.mt_events) m, unnest(ARRAY['HighWaterMark', 'global_chain:All']) AS n
WHERE m.s > 0
ON CONFLICT (name) DO UPDATE SET last_seq_id = GREATEST(__SCHEMA__.mt_event_progression.last_seq_id, excluded.last_seq_id);

-- 5. A stream's own committed events, sequenced or not: what a decision folds before it appends (read-your-writes on
--    the stream, whose row lock orders its appends). The global columns are not here: they exist once sequenced.
CREATE VIEW __SCHEMA__.stream_events AS
SELECT seq_id, id, stream_id, version, type, data,
       COALESCE(headers -> 'fl_metadata', '{}'::jsonb) AS metadata,
       "timestamp",
       decode(headers ->> 'fl_content_hash', 'base64') AS content_hash,
       decode(headers ->> 'fl_prev_hash', 'base64') AS prev_hash,
       decode(headers ->> 'fl_hash', 'base64') AS hash
FROM __SCHEMA__.mt_events
WHERE type <> 'tombstone';
