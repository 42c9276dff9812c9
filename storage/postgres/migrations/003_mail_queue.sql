-- The durable mail queue (mail/outbox.ts over storage/postgres/pgMailQueue.ts), shared by every instance:
-- each instance runs the sender and claims messages under a lease (FOR UPDATE SKIP LOCKED), so each message
-- is sent by one of them. Bodies are kept, and reset emails carry secret links: grant this table to the
-- bot's role only. A message's row is deleted once it has been sent, so the table holds only what waits or
-- was given up on, and a claim never reads past sent mail.
CREATE TABLE mail_queue (
  id uuid PRIMARY KEY,
  -- The order messages were queued in, for ties and for listing.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  to_address text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  attachment_count integer NOT NULL DEFAULT 0 CHECK (attachment_count >= 0),
  status text NOT NULL CHECK (status IN ('waiting', 'failed')),
  queued_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_attempt_at timestamptz,
  last_error text,
  failed_at timestamptz,
  expires_at timestamptz,
  -- The claim holding the message and when it ends; a lease that has ended may be taken by another claim.
  lease_token uuid,
  lease_until timestamptz,
  CHECK ((lease_token IS NULL) = (lease_until IS NULL))
);
-- What a claim walks: waiting messages in due order. Failed ones are outside it and sent ones are gone, so a
-- poll costs the same however much mail has gone before.
CREATE INDEX mail_queue_due_idx ON mail_queue (next_attempt_at, queued_at, seq) WHERE status = 'waiting';
-- The few messages held under a lease at any moment: for releasing a lease and for the next wake-up.
CREATE INDEX mail_queue_leased_idx ON mail_queue (lease_token) WHERE lease_token IS NOT NULL;

-- Attachments byte for byte, in order (ticket screenshots, each already held to 10 MB where it was taken in).
CREATE TABLE mail_queue_attachments (
  mail_id uuid NOT NULL REFERENCES mail_queue (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  filename text NOT NULL,
  content_type text NOT NULL,
  content bytea NOT NULL,
  PRIMARY KEY (mail_id, position)
);
