-- The small stores several instances must share: the agents' channels and their routes, the unanswered
-- questions log, the ESR automation request records, and each conversation's recent transcript.

-- The agents' channels ("use this channel"). queue is the channel's record as the bot gave it (conversation
-- reference, names, who set it and when), without its id; a channel chosen again keeps its id.
CREATE TABLE agent_channels (
  position bigint GENERATED ALWAYS AS IDENTITY,
  id text GENERATED ALWAYS AS ('q' || position) STORED PRIMARY KEY,
  channel_id text NOT NULL UNIQUE,
  queue jsonb NOT NULL
);

-- Which channel serves which scope: 'all', 'tasks', 'staffGroup:<group>', 'category:<category>',
-- 'organisation:<code>' (tickets/queues.ts scopeKey). The precedence between them is the bot's, not the table's.
CREATE TABLE agent_channel_routes (
  scope text PRIMARY KEY,
  queue_id text NOT NULL REFERENCES agent_channels (id)
);

-- What the bot could not answer (texts redacted before they get here), appended.
CREATE TABLE unanswered_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('fallback', 'somethingElse', 'choice', 'added')),
  key text NOT NULL,
  text text NOT NULL,
  choice text
);
CREATE INDEX unanswered_events_at_idx ON unanswered_events (at);

-- Requests sent to the Trust's ESR automation. A request leaves 'pending' by one UPDATE ... WHERE status =
-- 'pending', so of two callbacks (or a callback and the watchdog) on any instances exactly one finishes it.
CREATE TABLE automation_requests (
  id text PRIMARY KEY,
  action text NOT NULL CHECK (action IN ('unlock', 'reactivate')),
  username text NOT NULL,
  requested_at timestamptz NOT NULL,
  sent_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'timed_out', 'unavailable')),
  finished_at timestamptz,
  message text
);
CREATE INDEX automation_requests_pending_idx ON automation_requests (sent_at) WHERE status = 'pending';
CREATE INDEX automation_requests_finished_idx ON automation_requests (finished_at) WHERE status <> 'pending';

-- The last 30 messages of each conversation (already redacted: never a password-like text), so a ticket
-- raised on any instance carries the conversation so far. id keeps the order they were said in.
CREATE TABLE recent_transcript (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id text NOT NULL,
  at timestamptz NOT NULL,
  entry jsonb NOT NULL
);
CREATE INDEX recent_transcript_conversation_idx ON recent_transcript (conversation_id, id);
CREATE INDEX recent_transcript_at_idx ON recent_transcript (at);
