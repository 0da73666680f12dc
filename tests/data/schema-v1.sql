-- A database as the first schema (version 1) wrote it: the starting point of
-- the migration test. Never edit: later schemas must migrate from this.
CREATE TABLE conversations (
    phone TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    registered INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    in_chat_support INTEGER NOT NULL DEFAULT 0,
    chat_support_active INTEGER NOT NULL DEFAULT 0,
    chat_start_time INTEGER,
    support_ticket_id TEXT NOT NULL DEFAULT '',
    assignee TEXT NOT NULL DEFAULT '',
    queued_at INTEGER,
    rated_ticket_id TEXT NOT NULL DEFAULT '',
    rated_agent TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    wa_phone_number_id TEXT NOT NULL DEFAULT '',
    last_seq INTEGER NOT NULL DEFAULT 0,
    read_seq INTEGER NOT NULL DEFAULT 0,
    unread INTEGER NOT NULL DEFAULT 0,
    last_message TEXT NOT NULL DEFAULT '',
    last_sender TEXT NOT NULL DEFAULT 'user',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_activity INTEGER NOT NULL
);
CREATE TABLE messages (
    phone TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL,
    agent TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    channel_id TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (phone, seq)
) WITHOUT ROWID;
CREATE INDEX messages_by_channel_id ON messages (phone, channel_id) WHERE channel_id <> '';
CREATE INDEX messages_by_time ON messages (at);
CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    seq INTEGER NOT NULL,
    channel TEXT NOT NULL,
    wa_phone_number_id TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE dedupe (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    score INTEGER NOT NULL,
    at INTEGER NOT NULL
);

INSERT INTO conversations (phone, name, registered, state, in_chat_support, chat_support_active, chat_start_time,
  support_ticket_id, assignee, queued_at, rated_ticket_id, rated_agent, channel, wa_phone_number_id, last_seq,
  read_seq, unread, last_message, last_sender, created_at, updated_at, last_activity)
VALUES ('15550001', 'John', 1, 'CHAT_SUPPORT_ACTIVE', 1, 1, 1763900000000, 't_v1', '', 1763900000000, '', '',
  'plain', '', 4, 0, 1, 'I need help', 'user', 1763800000000, 1763900000000, 4102444800000),
       ('15550002', 'Ada', 1, 'IDLE', 0, 0, NULL, '', '', NULL, '', '', 'plain', '', 0, 0, 0, '', 'user',
  1763800000000, 1763800000000, 1763800000000);
INSERT INTO messages (phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id) VALUES
  ('15550001', 1, 'msg_v1_1', 'user', '', 'support', 'text', 1763900000000, 'received', 'v1-a', ''),
  ('15550001', 2, 'msg_v1_2', 'bot', '', 'Connecting you to support… You are number 1 in the queue.', 'text', 1763900000001, 'sent', '', ''),
  ('15550001', 3, 'msg_v1_3', 'user', '', 'I need help', 'text', 1763900000002, 'received', 'v1-b', ''),
  ('15550001', 4, 'msg_v1_4', 'bot', '', '✓ Your message has been sent to support', 'text', 1763900000003, 'sent', '', '');
INSERT INTO dedupe (key, answer, at) VALUES
  ('plain:v1-b', '{"replies":[{"text":"✓ Your message has been sent to support"}],"state":"CHAT_SUPPORT_ACTIVE"}', 1763900000002);
PRAGMA user_version = 1;
