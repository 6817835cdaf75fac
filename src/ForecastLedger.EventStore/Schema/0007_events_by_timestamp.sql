-- Point-in-time reads (docs/adr/0008-point-in-time-reads.md): `asOf` resolves to the last seq recorded at or before
-- a timestamp. This index makes that a short range scan instead of a scan of the events table.
CREATE INDEX events_timestamp ON __SCHEMA__.events ("timestamp", seq_id);
