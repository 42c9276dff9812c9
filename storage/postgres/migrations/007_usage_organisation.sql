-- Usage events keep the person's organisation, as the embedded log does: the dashboard counts each
-- organisation's usage on its own (before this, every event counted for the first organisation).
ALTER TABLE usage_events ADD COLUMN organisation_code text;
