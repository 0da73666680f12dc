// Append a migration to the list; never edit one that has shipped.
#include "schema.hpp"

#include <array>
#include <string>

namespace switchboard::store {

namespace {

// Timestamps are INTEGER milliseconds since the Unix epoch (UTC).
constexpr std::array<std::string_view, 50> migrations{
    // 1: the conversation engine.
    R"sql(
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
)sql",
    // 2: agents, their sessions, the event log; read receipts in the outbox.
    R"sql(
CREATE TABLE agents (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    available INTEGER NOT NULL DEFAULT 1,
    max_chats INTEGER NOT NULL DEFAULT 5,
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (at);
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE outbox ADD COLUMN ref TEXT NOT NULL DEFAULT '';
)sql",
    // 3: one row per support chat, for reports.
    R"sql(
CREATE TABLE chats (
    ticket_id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    opened_by TEXT NOT NULL,
    queued_at INTEGER,
    assigned_at INTEGER,
    agent TEXT NOT NULL DEFAULT '',
    first_response_at INTEGER,
    last_assigned_at INTEGER,
    last_response_at INTEGER,
    closed_at INTEGER,
    close_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX chats_by_opened ON chats (opened_at);
CREATE INDEX chats_by_closed ON chats (closed_at);
CREATE INDEX chats_open ON chats (ticket_id) WHERE closed_at IS NULL;
-- Exports page through messages by (at, phone, seq).
DROP INDEX messages_by_time;
CREATE INDEX messages_by_time ON messages (at, phone, seq);
)sql",
    // 4: dedupe keys in one b-tree (they were a rowid table plus an index on key: two pages per write).
    R"sql(
CREATE TABLE dedupe_v4 (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO dedupe_v4 (key, answer, at) SELECT key, answer, at FROM dedupe;
DROP TABLE dedupe;
ALTER TABLE dedupe_v4 RENAME TO dedupe;
)sql",
    // 5: two index writes fewer per webhook. Events are pruned in seq order
    // (seq and time grow together), so they need no index on time; statuses
    // only ever name our own messages, so users' messages need no channel-id entry.
    R"sql(
DROP INDEX events_by_time;
DROP INDEX messages_by_channel_id;
CREATE INDEX messages_by_channel_id ON messages (phone, channel_id) WHERE channel_id <> '' AND sender <> 'user';
)sql",
    // 6: messages in arrival order. Clustered by (phone, seq), every webhook
    // inserted its whole rows into a random leaf of the table, which split
    // every dozen rows; now the rows append and only the small (phone, seq)
    // key lands at random. Durable ingest: about +19%, and about 10 µs less
    // writer time per webhook.
    R"sql(
CREATE TABLE messages_v6 (
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
);
INSERT INTO messages_v6 (phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id)
    SELECT phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id FROM messages
    ORDER BY at, phone, seq;
DROP TABLE messages;
ALTER TABLE messages_v6 RENAME TO messages;
CREATE INDEX messages_by_channel_id ON messages (phone, channel_id) WHERE channel_id <> '' AND sender <> 'user';
CREATE INDEX messages_by_time ON messages (at, phone, seq);
)sql",
    // 7: dedupe keys in arrival order, with no index. Keyed by the key, each
    // webhook dirtied one random page; now the rows append, and the store
    // finds them through the keys' hashes, which it keeps in memory.
    R"sql(
CREATE TABLE dedupe_v7 (
    key TEXT NOT NULL,
    answer TEXT NOT NULL,
    at INTEGER NOT NULL
);
INSERT INTO dedupe_v7 (key, answer, at) SELECT key, answer, at FROM dedupe ORDER BY at;
DROP TABLE dedupe;
ALTER TABLE dedupe_v7 RENAME TO dedupe;
)sql",
    // 8: no (phone, seq) index. Its keys landed at random, one leaf page
    // per webhook; the store keeps that index in memory (message_index.hpp).
    // Durable ingest: bytes written per webhook 11,400 → 6,700.
    R"sql(
CREATE TABLE messages_v8 (
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
    client_id TEXT NOT NULL DEFAULT ''
);
INSERT INTO messages_v8 (phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id)
    SELECT phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id FROM messages ORDER BY rowid;
DROP TABLE messages;
ALTER TABLE messages_v8 RENAME TO messages;
CREATE INDEX messages_by_channel_id ON messages (phone, channel_id) WHERE channel_id <> '' AND sender <> 'user';
CREATE INDEX messages_by_time ON messages (at, phone, seq);
)sql",
    // 9: the event log in blocks, one row per batch of events, compressed
    // as a whole (event_blocks.hpp). A row per event was the largest part of
    // a durable webhook. Old rows come along as blocks of one, in TEXT.
    R"sql(
CREATE TABLE event_blocks (
    id INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    body BLOB NOT NULL
);
INSERT INTO event_blocks (first_seq, last_seq, first_at, last_at, body)
    SELECT seq, seq, at, at, json FROM events ORDER BY seq;
DROP TABLE events;
CREATE INDEX event_blocks_by_first_seq ON event_blocks (first_seq);
CREATE INDEX event_blocks_by_last_seq ON event_blocks (last_seq);
CREATE INDEX event_blocks_by_first_at ON event_blocks (first_at);
)sql",
    // 10: no UNIQUE(id) on messages. Nothing looks a message up by its id,
    // and ids are unique by construction (unique_id: the millisecond, a
    // per-thread counter and 32 random bits); the index was a guard that
    // took a quarter of a durable commit's WAL frames.
    R"sql(
CREATE TABLE messages_v10 (
    phone TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    sender TEXT NOT NULL,
    agent TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    channel_id TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT ''
);
INSERT INTO messages_v10 (phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id)
    SELECT phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id FROM messages ORDER BY rowid;
DROP TABLE messages;
ALTER TABLE messages_v10 RENAME TO messages;
CREATE INDEX messages_by_channel_id ON messages (phone, channel_id) WHERE channel_id <> '' AND sender <> 'user';
CREATE INDEX messages_by_time ON messages (at, phone, seq);
)sql",
    // 11: no index by time on messages: the store keeps each block of rows'
    // times in memory for exports (time_index.hpp). The index's right edge split into
    // half-full pages, 2.3 of a durable commit's ~8 WAL frames.
    R"sql(
DROP INDEX messages_by_time;
)sql",
    // 12: a webhook's dedupe key and first answer in its own message's row.
    // A row in a table of their own was a third b-tree appended to by every
    // durable commit (2.8 of its 8.7 WAL frames). The dedupe table stays
    // for the keys written before, and for an answer with no message.
    R"sql(
ALTER TABLE messages ADD COLUMN dedupe_key TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN answer TEXT NOT NULL DEFAULT '';
)sql",
    // 13: agents an admin deactivated: kept, for the history that names
    // them, but unable to log in.
    R"sql(
ALTER TABLE agents ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
)sql",
    // 14: saved replies, by their shortcut.
    R"sql(
CREATE TABLE canned_responses (
    shortcut TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
)sql",
    // 15: ratings by time. A report read every rating ever given to count
    // those of its period: a year of ratings on every report.
    R"sql(
CREATE INDEX ratings_by_time ON ratings (at);
)sql",
    // 16: the preview's own seq. The preview is now the newest message the
    // user or an agent wrote to the chat; until this version it was the
    // newest message, so a row's preview is that of its last_seq.
    R"sql(
ALTER TABLE conversations ADD COLUMN last_message_seq INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET last_message_seq = last_seq;
)sql",
    // 17: why a message failed, as its provider said, for the agent who
    // sent it. Few messages fail: a column of the messages would be one
    // more for every message a webhook writes (about 1% of a durable
    // webhook's instructions), a table of their own costs the others nothing.
    R"sql(
CREATE TABLE message_errors (
    phone TEXT NOT NULL,
    seq INTEGER NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (phone, seq)
) WITHOUT ROWID;
)sql",
    // 18: how many messages to the user failed since an agent last read
    // the conversation.
    R"sql(
ALTER TABLE conversations ADD COLUMN undelivered INTEGER NOT NULL DEFAULT 0;
)sql",
    // 19: a media message's file: the provider's id for it, its type and
    // (a document's) name. Few messages have one; a table of their own, as
    // v17's errors, costs the others nothing.
    R"sql(
CREATE TABLE message_media (
    phone TEXT NOT NULL,
    seq INTEGER NOT NULL,
    media_id TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    PRIMARY KEY (phone, seq)
) WITHOUT ROWID;
)sql",
    // 20: the preview's message type, so that a list shows a rating, a
    // reaction or a photo as one. Rows from before read 'text' until their
    // next message: looking each one's message up would read the messages
    // table once a conversation, which has no index by (phone, seq).
    R"sql(
ALTER TABLE conversations ADD COLUMN last_message_kind TEXT NOT NULL DEFAULT 'text';
)sql",
    // 21: an agent's file waiting to be sent: a document's name beside its
    // media id (`ref`) and caption (`text`).
    R"sql(
ALTER TABLE outbox ADD COLUMN filename TEXT NOT NULL DEFAULT '';
)sql",
    // 22: what the agents filed a conversation under, its labels joined by
    // spaces (a label has none).
    R"sql(
ALTER TABLE conversations ADD COLUMN labels TEXT NOT NULL DEFAULT '';
)sql",
    // 23: an agent blocked the user.
    R"sql(
ALTER TABLE conversations ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
)sql",
    // 24: the server's own small state by name (where the event webhook
    // got to), kept with the rest so a backup carries it.
    R"sql(
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // 25: API tokens, sessions an agent made for an integration and named.
    R"sql(
ALTER TABLE sessions ADD COLUMN name TEXT NOT NULL DEFAULT '';
)sql",
    // 26: the seq of the message a message answers (quotes), 0 for none;
    // and the wamid a message waiting to be sent quotes.
    // A column of its own rather than a side table: its default costs a row
    // nothing, and reading a history needs no lookup a row.
    R"sql(
ALTER TABLE messages ADD COLUMN reply_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN context TEXT NOT NULL DEFAULT '';
)sql",
    // 27: how urgent the agents marked a conversation (chat::conv_priority).
    R"sql(
ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
)sql",
    // 28: what the agents know of the user, one "key<TAB>value" a line (a
    // value is one line, without control characters).
    R"sql(
ALTER TABLE conversations ADD COLUMN attributes TEXT NOT NULL DEFAULT '';
)sql",
    // 29: until when its agent snoozed the chat (Unix ms), null when awake.
    R"sql(
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
)sql",
    // 30: since when the user has waited for an agent's answer (Unix ms),
    // null when an agent had the last word. For the chats open at the
    // upgrade: the user's oldest message since the chat opened and since
    // the agents' latest answer (a reaction asks for none). Messages have no
    // index by phone (rows append): one pass over them against the open
    // chats by phone, as a query per chat was a pass each (5,000 open chats
    // over 2 million messages: 2.5 s, against more than 2 minutes).
    R"sql(
ALTER TABLE chats ADD COLUMN waiting_since INTEGER;
CREATE TEMP TABLE open_chats (phone TEXT NOT NULL, ticket_id TEXT PRIMARY KEY, opened_at INTEGER NOT NULL,
                              answered_at INTEGER NOT NULL);
INSERT INTO open_chats SELECT phone, ticket_id, opened_at, COALESCE(last_response_at, -1) FROM chats WHERE closed_at IS NULL;
CREATE INDEX temp.open_chats_by_phone ON open_chats (phone);
CREATE TEMP TABLE open_chat_waits AS
    SELECT o.ticket_id AS ticket_id, MIN(m.at) AS since
    FROM messages m CROSS JOIN open_chats o
    WHERE o.phone = m.phone AND m.sender = 'user' AND m.kind NOT IN ('reaction', 'system')
      AND m.at >= o.opened_at AND m.at > o.answered_at
    GROUP BY o.ticket_id;
UPDATE chats SET waiting_since = (SELECT since FROM open_chat_waits w WHERE w.ticket_id = chats.ticket_id)
WHERE closed_at IS NULL;
DROP TABLE open_chat_waits;
DROP TABLE open_chats;
)sql",
    // 31: the waiting_since of the chat's wait found past the team's
    // reply-time target (Unix ms), so that a wait is reported once.
    R"sql(
ALTER TABLE chats ADD COLUMN target_missed_for INTEGER;
)sql",
    // 32: the user's waits an agent answered after the chat's first reply,
    // "began-answered" in Unix ms, comma-separated (chat_record::answered_waits).
    // Chats from before it have none.
    R"sql(
ALTER TABLE chats ADD COLUMN answered_waits TEXT NOT NULL DEFAULT '';
)sql",
    // 33: whether the chat was found open past the team's resolution
    // target (chat_record::resolution_missed), so that it is reported once.
    R"sql(
ALTER TABLE chats ADD COLUMN resolution_missed INTEGER NOT NULL DEFAULT 0;
)sql",
    // 34: the team a conversation is filed under (conversation::team); '' for none.
    R"sql(
ALTER TABLE conversations ADD COLUMN team TEXT NOT NULL DEFAULT '';
)sql",
    // 35: the team a chat's conversation was filed under while it was open
    // (chat_record::team), which reports count it as; '' for none. Chats
    // from before it are under none.
    R"sql(
ALTER TABLE chats ADD COLUMN team TEXT NOT NULL DEFAULT '';
)sql",
    // 36: the audit log (store::audit_entry): its newest audit_entries_kept
    // entries, by id.
    R"sql(
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL
);
)sql",
    // 37: the labels a chat's conversation had while it was open
    // (chat_record::labels), joined by spaces, which reports count it under;
    // '' for none. Chats from before it have none.
    R"sql(
ALTER TABLE chats ADD COLUMN labels TEXT NOT NULL DEFAULT '';
)sql",
    // 38: an agent's message signature (agent_record::signature); '' for none.
    R"sql(
ALTER TABLE agents ADD COLUMN signature TEXT NOT NULL DEFAULT '';
)sql",
    // 39: agents' notifications (notify::notification), each agent's newest
    // notify::notifications_kept. read_at NULL: not read; the partial index
    // counts those.
    R"sql(
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  agent TEXT NOT NULL,
  type TEXT NOT NULL,
  conversation TEXT NOT NULL,
  name TEXT NOT NULL,
  actor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  target TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX notifications_by_agent ON notifications (agent, id);
CREATE INDEX notifications_unread ON notifications (agent) WHERE read_at IS NULL;
)sql",
    // 40: the agents who follow a conversation (conversation::participants),
    // joined by spaces, which no username has; '' for none.
    R"sql(
ALTER TABLE conversations ADD COLUMN participants TEXT NOT NULL DEFAULT '';
)sql",
    // 41: a user's chats, newest first (GET /conversations/{phone}/chats),
    // and the score each was given.
    R"sql(
CREATE INDEX chats_by_phone ON chats (phone, opened_at);
CREATE INDEX ratings_by_ticket ON ratings (ticket_id);
)sql",
    // 42: the seq of a chat's first message (chat_record::first_seq). The
    // chats from before it learn theirs from the message written in the
    // step that opened them, at the very millisecond (the user's `support`,
    // or an agent's opening words to the user), found by messages_by_time;
    // one with none there keeps 0: its start is not known.
    R"sql(
ALTER TABLE chats ADD COLUMN first_seq INTEGER NOT NULL DEFAULT 0;
UPDATE chats SET first_seq = COALESCE(
    (SELECT min(m.seq) FROM messages m WHERE m.at = chats.opened_at AND m.phone = chats.phone), 0);
)sql",
    // 43: the channel a chat's user wrote on (chat_record::via), which
    // reports count it under. The chats from before it take their
    // conversation's, which a user seldom changes.
    R"sql(
ALTER TABLE chats ADD COLUMN channel TEXT NOT NULL DEFAULT 'plain';
UPDATE chats SET channel = COALESCE((SELECT c.channel FROM conversations c WHERE c.phone = chats.phone), 'plain');
)sql",
    // 44: where an agent's notifications are e-mailed (agent_record::email); '' for nowhere.
    R"sql(
ALTER TABLE agents ADD COLUMN email TEXT NOT NULL DEFAULT '';
)sql",
    // 45: the erased conversations whose events the log still holds, and
    // where the sweep that reads it for them is (event_log_erasures,
    // erasure_sweep); and each block's filter of the conversations it may
    // hold (conversation_filter), apart from the blocks' rows, whose bodies
    // a read of a column after them would go through. Blocks from before
    // have none: a sweep reads them all.
    R"sql(
CREATE TABLE event_block_filters (
    block INTEGER PRIMARY KEY,
    conversations BLOB NOT NULL
);
CREATE TRIGGER event_block_filters_go AFTER DELETE ON event_blocks BEGIN
    DELETE FROM event_block_filters WHERE block = old.id;
END;
CREATE TABLE event_erasures (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    upto_seq INTEGER NOT NULL,
    joined_after INTEGER NOT NULL,
    last_block INTEGER NOT NULL,
    went_round INTEGER NOT NULL DEFAULT 0,
    swept_after INTEGER NOT NULL
);
)sql",
    // 46: the keywords the bot offered with a message to tap (message::choices); '' for none.
    R"sql(
ALTER TABLE messages ADD COLUMN choices TEXT NOT NULL DEFAULT '';
)sql",
    // 47: the rows of campaigns deleted before a deletion removed its row
    // too: a campaign's row is `campaign:<id>`, and the `campaigns` setting
    // lists the ids of those kept (api/campaigns.cpp). A list that does not
    // read leaves every row.
    R"sql(
WITH listed(ids) AS (SELECT coalesce((SELECT value FROM settings WHERE key = 'campaigns'), '[]'))
DELETE FROM settings WHERE key LIKE 'campaign:%' AND (SELECT json_valid(ids) FROM listed) AND substr(key, 10) NOT IN (
    SELECT kept.value FROM listed, json_each(CASE WHEN json_valid(listed.ids) THEN listed.ids ELSE '[]' END) AS kept);
)sql",
    // 48: an agent's two-factor authentication (agent_record::totp_secret,
    // totp_last_step, recovery_codes); '' for off.
    R"sql(
ALTER TABLE agents ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT '';
)sql",
    // 49: an agent muted the conversation (conversation::muted).
    R"sql(
ALTER TABLE conversations ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
)sql",
    // 50: when a private note's writer last changed it (message::edited_at,
    // Unix ms). Few messages are edited notes: a table of their own, as
    // v17's errors.
    R"sql(
CREATE TABLE message_edits (
    phone TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (phone, seq)
) WITHOUT ROWID;
)sql",
};

int user_version(sqlite::connection& db) {
    auto st = db.prepare("PRAGMA user_version");
    st.step();
    return static_cast<int>(st.get_int(0));
}

}  // namespace

int current_schema_version() { return static_cast<int>(migrations.size()); }

void migrate(sqlite::connection& db) {
    int version = user_version(db);
    if (version > current_schema_version())
        throw std::runtime_error("the database has schema version " + std::to_string(version) +
                                 ", newer than this build's " + std::to_string(current_schema_version()) +
                                 ": refusing to touch it");
    for (; version < current_schema_version(); ++version) {
        sqlite::transaction tx(db);
        db.exec(migrations[static_cast<std::size_t>(version)]);
        db.exec("PRAGMA user_version = " + std::to_string(version + 1));
        tx.commit();
    }
}

}  // namespace switchboard::store
