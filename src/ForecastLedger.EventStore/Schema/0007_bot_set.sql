-- The crowd leaves bots out (scoring.md §4), so a crowd's ETag must change when the set of bots changes
-- (docs/adr/0012-read-caches.md). This partial index keeps reading that set to the bots alone.
CREATE INDEX forecasters_bots ON __SCHEMA__.forecasters (id) WHERE is_bot;
