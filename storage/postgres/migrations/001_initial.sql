-- The ports that had lowdb/JSONL files: staff directory, accounts, tokens, audit, tickets, screenshots,
-- rate limits, usage. Bot state, the mail queue, queues and the once-registry still live in DATA_DIR.

-- The staff directory. Usernames are stored upper case and emails, UPNs and Entra ids lower case (the
-- store normalises them, as staff.json does); lookups lower() the column so an index serves them.
CREATE TABLE staff (
  username text PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  work_email text NOT NULL,
  date_of_birth date NOT NULL,
  staff_group text NOT NULL CHECK (staff_group IN ('substantive', 'bank', 'ifm', 'lead_employer_doctor')),
  entra_object_id text,
  upn text
);
CREATE INDEX staff_work_email_idx ON staff (lower(work_email));
CREATE INDEX staff_entra_object_id_idx ON staff (entra_object_id);
CREATE INDEX staff_upn_idx ON staff (lower(upn));

-- Credential state per username: a small document (esr/types.ts AccountState), changed under FOR UPDATE.
CREATE TABLE accounts (
  username text PRIMARY KEY,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Reset and unlock tokens, by SHA-256 hash; the token itself is never stored.
CREATE TABLE tokens (
  hash text PRIMARY KEY,
  username text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('reset', 'unlock')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  voided_at timestamptz
);
CREATE INDEX tokens_open_idx ON tokens (username, purpose) WHERE used_at IS NULL AND voided_at IS NULL;
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);

-- The audit log: appended, never updated. id keeps the order events were recorded in.
CREATE TABLE audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  action text NOT NULL,
  actor jsonb NOT NULL,
  channel text NOT NULL,
  outcome text NOT NULL,
  username text,
  detail jsonb
);
CREATE INDEX audit_username_idx ON audit (username, id);
CREATE INDEX audit_action_idx ON audit (action, id);
CREATE INDEX audit_at_idx ON audit (at);

-- Tickets: the whole ticket as JSON, plus the fields lookups filter on. version is the compare-and-set
-- check: UPDATE ... WHERE version = expected lets exactly one of two saves from the same version through.
CREATE TABLE tickets (
  id integer PRIMARY KEY CHECK (id > 0),
  version integer NOT NULL CHECK (version > 0),
  status text NOT NULL,
  category text NOT NULL,
  created_at timestamptz NOT NULL,
  holder_id text,
  requester_id text NOT NULL,
  user_conversation_id text,
  thread_conversation_id text,
  live boolean NOT NULL,
  ticket jsonb NOT NULL
);
CREATE INDEX tickets_status_idx ON tickets (status);
CREATE INDEX tickets_created_at_idx ON tickets (created_at);
CREATE INDEX tickets_user_conversation_idx ON tickets (user_conversation_id);
CREATE INDEX tickets_thread_conversation_idx ON tickets (thread_conversation_id);
CREATE INDEX tickets_requester_idx ON tickets (requester_id);

-- The last ticket id handed out (one row), so ids are never reused, also after a restart.
CREATE TABLE ticket_ids (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last_id integer NOT NULL
);
INSERT INTO ticket_ids (last_id) VALUES (0);

-- Screenshot bytes, at most 10 MB each (MAX_SCREENSHOT_MB in bot/helpDesk.ts).
CREATE TABLE screenshots (
  ticket_id integer NOT NULL CHECK (ticket_id > 0),
  screenshot_id text NOT NULL CHECK (screenshot_id ~ '^[A-Za-z0-9_-]{1,100}$'),
  content_type text NOT NULL,
  bytes bytea NOT NULL CHECK (octet_length(bytes) <= 10 * 1024 * 1024),
  PRIMARY KEY (ticket_id, screenshot_id)
);

-- Rate-limit hits (ms since 1970, oldest first), shared by every instance.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  hits bigint[] NOT NULL
);

-- Usage events: counts of flows used; never names or message text.
CREATE TABLE usage_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  flow text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('started', 'self_served'))
);
CREATE INDEX usage_events_at_idx ON usage_events (at);
