-- Conversation and user state, and the welcome-once marks, so every instance of the bot continues any
-- conversation (they were in DATA_DIR/state/ before).

-- One row per state key (botbuilder's "<channel>/conversations/<id>" and "<channel>/users/<id>"). etag changes
-- with every write; a write that must find the eTag it read is UPDATE ... WHERE etag = $read, so of two writes
-- from the same read exactly one succeeds. updated_at (the writer's clock) lets housekeeping drop idle state.
CREATE TABLE bot_state (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  etag text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX bot_state_updated_at_idx ON bot_state (updated_at);

-- Things that happen once per key (the welcome for a person): the first INSERT wins, the rest find the row.
CREATE TABLE bot_once_marks (
  key text PRIMARY KEY,
  claimed_at timestamptz NOT NULL
);
CREATE INDEX bot_once_marks_claimed_at_idx ON bot_once_marks (claimed_at);
