-- Issue 12, step 1 (docs/adr/0021-events-in-martens-tables.md): events and streams move into Marten's mt_events and
-- mt_streams, which SchemaMigrator has Marten create before this script runs. Every event keeps its seq id, id,
-- timestamp and hashes, so earlier checkpoints, receipts and exports still verify. The ledger's own columns live in
-- the event's headers (fl_metadata: the metadata exactly as hashed; fl_content_hash, fl_prev_hash, fl_hash: the stream
-- chain; fl_global_prev, fl_global_hash: the global chain), and the old table names become read-only views over
-- Marten's tables, so every reader and auditor keeps reading the ledger in the shape it always had.

-- 1. Existing events and streams move over. The events are copied before this script, in committed chunks that a run
--    interrupted anywhere continues (StoreMove, docs/adr/0026-resumable-store-move.md); SchemaMigrator prepends to
--    this script, in its transaction, the same copy for whatever is left: nothing after a complete chunked copy, every
--    event when the script runs on its own. The chunks made the stream rows their events needed as they stood then;
--    here every stream takes its final row.
INSERT INTO __SCHEMA__.mt_streams (id, type, version, "timestamp", created, tenant_id, is_archived)
SELECT id, type, version, "timestamp", created, '*DEFAULT*', is_archived FROM __SCHEMA__.streams
ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, version = EXCLUDED.version, "timestamp" = EXCLUDED."timestamp",
                               created = EXCLUDED.created, is_archived = EXCLUDED.is_archived;

SELECT setval('__SCHEMA__.mt_events_sequence', max(seq_id)) FROM __SCHEMA__.events HAVING count(*) > 0;

-- Each stream's head as the appender last wrote it, apart from the events: deleting a stream's newest event leaves
-- its recorded head behind, and the auditors name it (the old streams table kept head_hash for the same reason).
CREATE TABLE __SCHEMA__.stream_heads (
    id        text   PRIMARY KEY,
    version   bigint NOT NULL,
    head_hash bytea  NOT NULL
);
INSERT INTO __SCHEMA__.stream_heads (id, version, head_hash) SELECT id, version, head_hash FROM __SCHEMA__.streams;

-- 2. The home-made store goes: its tables, append functions and sequence.
DROP FUNCTION __SCHEMA__.append_events(text, text, bigint, uuid[], text[], jsonb[], jsonb[], timestamptz, bytea[], text, bytea);
DROP FUNCTION IF EXISTS __SCHEMA__.append_events_batch;
DROP FUNCTION IF EXISTS __SCHEMA__.append_one;
DROP FUNCTION IF EXISTS __SCHEMA__.append_lock_batch;
DROP FUNCTION IF EXISTS __SCHEMA__.append_finish_batch;
DROP TABLE __SCHEMA__.events;
DROP TABLE __SCHEMA__.streams;
DROP FUNCTION __SCHEMA__.assign_seq_id();
DROP SEQUENCE __SCHEMA__.events_seq;

-- 3. The global chain, extended for every inserting path under the global-order lock (docs/adr/0002): the appender
--    takes the lock before Marten draws any sequence number, so seq order is commit order and the previous event is
--    the highest committed seq. Marten's tombstones (type 'tombstone' in its stream 'mt_tombstone': rows it writes into
--    the numbers of a failed append) are not ledger events: they carry no chain and readers never see them.
CREATE FUNCTION __SCHEMA__.extend_global_chain() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    v_prev bytea;
BEGIN
    IF NEW.type = 'tombstone' THEN
        RETURN NEW;
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'events are appended in READ COMMITTED transactions only (the global chain reads its predecessor)'
            USING ERRCODE = '25001';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('forecastledger:seq:__SCHEMA__', 0));
    SELECT decode(e.headers ->> 'fl_global_hash', 'base64') INTO v_prev
    FROM __SCHEMA__.mt_events e WHERE e.type <> 'tombstone' ORDER BY e.seq_id DESC LIMIT 1;
    v_prev := COALESCE(v_prev, decode(repeat('00', 32), 'hex'));
    NEW.headers := COALESCE(NEW.headers, '{}'::jsonb) || jsonb_build_object(
        'fl_global_prev', encode(v_prev, 'base64'),
        'fl_global_hash', encode(sha256(v_prev || int8send(NEW.seq_id) || decode(NEW.headers ->> 'fl_hash', 'base64')), 'base64'));
    RETURN NEW;
END
$fn$;

CREATE TRIGGER mt_events_global_chain BEFORE INSERT ON __SCHEMA__.mt_events
    FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.extend_global_chain();

-- 4. Append-only, as the events table was (migration 0010).
CREATE TRIGGER mt_events_append_only BEFORE UPDATE OR DELETE ON __SCHEMA__.mt_events
    FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.audit_append_only();

CREATE TRIGGER mt_events_no_truncate BEFORE TRUNCATE ON __SCHEMA__.mt_events
    FOR EACH STATEMENT EXECUTE FUNCTION __SCHEMA__.audit_append_only();

-- 5. The ledger as readers and auditors see it.
CREATE VIEW __SCHEMA__.events AS
SELECT seq_id, id, stream_id, version, type, data,
       COALESCE(headers -> 'fl_metadata', '{}'::jsonb) AS metadata,
       "timestamp",
       decode(headers ->> 'fl_content_hash', 'base64') AS content_hash,
       decode(headers ->> 'fl_prev_hash', 'base64') AS prev_hash,
       decode(headers ->> 'fl_hash', 'base64') AS hash,
       decode(headers ->> 'fl_global_prev', 'base64') AS global_prev,
       decode(headers ->> 'fl_global_hash', 'base64') AS global_hash
FROM __SCHEMA__.mt_events
WHERE type <> 'tombstone';

CREATE VIEW __SCHEMA__.streams AS
SELECT s.id,
       COALESCE(s.type, CASE WHEN strpos(s.id, '-') > 1 THEN split_part(s.id, '-', 1) ELSE 'stream' END) AS type,
       s.version, s.created, s."timestamp", s.is_archived,
       COALESCE(h.head_hash, decode(repeat('00', 32), 'hex')) AS head_hash
FROM __SCHEMA__.mt_streams s LEFT JOIN __SCHEMA__.stream_heads h ON h.id = s.id
WHERE s.id <> 'mt_tombstone';

-- asOf reads find the last event at or before an instant (docs/adr/0008).
CREATE INDEX mt_events_fl_timestamp ON __SCHEMA__.mt_events ("timestamp", seq_id);
