-- What used to be per instance in DATA_DIR and must be the same on every instance: the secrets the bot makes
-- for itself (the key that signs screenshot links, so a link signed on one instance opens on another) and the
-- Trust's content overrides (so a phrasing added on the dashboard of one instance is understood by all).

-- Made by the first instance that needs one (INSERT ... ON CONFLICT DO NOTHING, then read back, so two
-- instances starting together agree). Never logged.
CREATE TABLE app_secrets (
  name text PRIMARY KEY,
  value bytea NOT NULL CHECK (octet_length(value) >= 16),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Each override file of DATA_DIR/content (en-GB.json, faq.cy-GB.json, ...), whole. version comes from one
-- sequence, so max(version) changes whenever any override does: each instance polls that, and copies changed
-- bodies into its own DATA_DIR/content, where its file watcher checks and loads them.
CREATE SEQUENCE content_overrides_version;
CREATE TABLE content_overrides (
  name text PRIMARY KEY CHECK (name ~ '^(faq\.)?[a-z]{2}-[A-Z]{2}\.json$'),
  body text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL DEFAULT nextval('content_overrides_version')
);
CREATE INDEX content_overrides_version_idx ON content_overrides (version);
