-- Screenshots kept aside while a member of staff writes a report, until it is sent or cancelled
-- (tickets/ports.ts UploadStaging), so that every instance can file a report whose screenshots another
-- instance received. The bytes are limited to the screenshot limit (10 MB). staged_at comes from the bot's
-- clock; uploads of reports never sent are purged by it.
CREATE TABLE upload_staging (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  name text NOT NULL,
  content_type text NOT NULL,
  bytes bytea NOT NULL CHECK (octet_length(bytes) <= 10485760),
  staged_at timestamptz NOT NULL
);
CREATE INDEX upload_staging_staged_at_idx ON upload_staging (staged_at);
