// The storage interface the engine writes through. The engine never knows
// which store it has: in-memory for tests and benchmarks, SQLite by default.
#pragma once

#include "switchboard/chat/conversation.hpp"
#include "switchboard/events/data_rewrite.hpp"
#include "switchboard/notify/notification.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::store {

// An outbound message waiting for its provider to accept it.
struct outbox_item {
    std::string message_id;
    std::string phone;
    std::uint64_t seq = 0;
    chat::channel via = chat::channel::plain;
    std::string wa_phone_number_id;  // WhatsApp: the sending business number
    std::string text;
    std::uint32_t attempts = 0;
    timestamp created_at{};
    // "text": a message for the user; "read": WhatsApp's mark-as-read of
    // the user's message `ref` (a wamid), which carries no text ("typing":
    // the same with the typing indicator, never stored); a media
    // kind ("image", "audio", "video", "document"): an agent's file, `ref`
    // its WhatsApp media id and `text` its caption; "template": an approved
    // template, `ref` the send API's "template" object as JSON.
    std::string kind = "text";
    std::string ref;
    std::string filename;  // a document's name, as the user's phone shows it
    std::string context;   // the message this one quotes, as the user's channel knows it (WhatsApp: its wamid), or empty
};

struct agent_record {
    std::string username;
    std::string display_name;
    std::string role = "agent";  // admin | agent
    std::string password_hash;   // Argon2id, libsodium's encoded form
    bool available = true;
    std::uint32_t max_chats = 5;
    timestamp created_at{};
    bool active = true;  // false: deactivated by an admin; cannot log in
    std::string signature;  // what the console adds under the agent's replies, when asked; empty: none
    std::string email;      // where their notifications go while they are away; empty: nowhere
    // Two-factor authentication (auth/two_factor.hpp): the TOTP secret,
    // base32 (empty: off); the time step of the last code used, so that a
    // code works once; the unused recovery codes' hashes, space-separated.
    std::string totp_secret;
    std::int64_t totp_last_step = 0;
    std::string recovery_codes;
};

struct session_record {
    std::string token_hash;  // SHA-256 of the token: the token itself is never stored
    std::string username;
    timestamp created_at{};
    timestamp expires_at{};
    // An API token's name, as its agent gave it; empty for a login's session.
    std::string name;
};

// A saved reply that agents insert in the composer by its shortcut.
struct canned_response {
    std::string shortcut;  // the key
    std::string text;
    std::string updated_by;  // the agent who wrote it last
    timestamp updated_at{};
};

// One event as agents receive it: the serialized envelope with its seq.
struct event_record {
    std::uint64_t seq = 0;
    timestamp at{};
    // Shared with the hub's ring, which holds the same text: never copied.
    std::shared_ptr<const std::string> json;
    // events::conversation_key of its conversation, for the filter of the
    // block it is stored in; 0: not known (the block's filter then holds all).
    std::uint32_t conversation_key = 0;
};

// A conversation whose stored row is older than its newest message (the
// steps since changed only what their messages imply): that message, the
// newest of them that moves the preview (none when only the bot's replies
// and notes came after the row), and how many of them the user wrote.
struct row_catch_up {
    chat::message newest;
    std::uint32_t user_messages = 0;
    std::optional<chat::message> preview;
};

struct rating {
    std::string phone;
    std::string ticket_id;
    std::string agent;
    int score = 0;
    timestamp at{};
};

// A webhook's first answer, under its channel's message id.
struct dedupe_record {
    std::string key;
    std::string answer;
    // The seq of the batch's message this answers (the inbound one), or 0.
    // The SQLite store keeps the key and answer in that message's row.
    std::uint64_t seq = 0;
};

// One entry of the audit log: who did what to the team's accounts and
// settings (a login, an agent's new role, a macro deleted). `id` is the
// store's, ever higher; `details` a JSON object's text.
struct audit_entry {
    std::uint64_t id = 0;
    timestamp at{};
    std::string actor;   // the agent who did it (or tried to: a failed login's username)
    std::string action;  // agent.updated, macro.deleted, session.login_failed, …
    std::string target;  // what it was done to: a username, a macro's id, a team's name; may be empty
    std::string details;
};
// The newest entries a store keeps; older ones go as new ones come.
inline constexpr std::uint64_t audit_entries_kept = 100'000;

// A user erased (an admin's DELETE /conversations/{phone}).
struct erasure {
    std::string phone;
    timestamp at{};  // when: the actor's clock, which a conversation it begins anew starts at (unset: the store's)
    std::string by;  // the admin
};

// Everything one step of one conversation changes, written atomically.
struct write_batch {
    // A user's data erased: the conversation of this phone and all it
    // holds, before the rest of the batch: its row, messages (their errors,
    // files and dedupe answers), chats and their ratings, outbox items, and
    // the agents' notifications of it. Its events in the log are the hub's
    // to erase (async_erase_events), once it has numbered the erasure's
    // own. A directory's store also lists it beside the database
    // (erasure_list), to erase it again from a backup put back.
    std::optional<erasure> erase_conversation;
    std::optional<chat::conversation> conversation;
    std::vector<chat::message> messages;  // insert or replace by (phone, seq)
    // Messages from this seq on were created by the step, so no stored row
    // holds them yet and a store need not look. 0: any may replace a row.
    std::uint64_t new_messages_from_seq = 0;
    std::vector<outbox_item> outbox_put;  // insert or replace by message_id
    std::vector<std::string> outbox_remove;
    std::vector<dedupe_record> dedupe;
    std::vector<rating> ratings;
    std::vector<agent_record> agents_put;  // insert or replace by username
    std::vector<session_record> sessions_put;
    std::vector<std::string> sessions_remove;  // token hashes
    std::optional<timestamp> sessions_expired_by;  // drop sessions that expired by then
    std::vector<event_record> events_put;
    std::optional<timestamp> events_prune_before;  // drop older events (retention)
    std::vector<chat::chat_record> chats_put;      // insert or replace by ticket
    std::vector<std::string> canned_remove;        // shortcuts; applied before canned_put (a rename is both)
    std::vector<canned_response> canned_put;       // insert or replace by shortcut
    std::vector<std::pair<std::string, std::string>> settings_put;  // insert or replace by key
    std::vector<std::string> settings_remove;                       // keys; applied after settings_put
    std::vector<audit_entry> audit_put;  // appended, each given the next id (theirs is ignored)
    // Insert or replace by id; each agent keeps their newest notify::notifications_kept.
    std::vector<notify::notification> notifications_put;
    // Anything beyond the conversation's own row, messages and dedupe
    // answers: what a store keeps in tables every conversation shares.
    bool has_shared_parts() const {
        return erase_conversation || !outbox_put.empty() || !outbox_remove.empty() || !ratings.empty() || !agents_put.empty() ||
               !sessions_put.empty() || !sessions_remove.empty() || sessions_expired_by || !events_put.empty() ||
               events_prune_before || !chats_put.empty() || !canned_remove.empty() || !canned_put.empty() ||
               !settings_put.empty() || !settings_remove.empty() || !audit_put.empty() || !notifications_put.empty();
    }
    bool empty() const { return !conversation && messages.empty() && dedupe.empty() && !has_shared_parts(); }
};

// Where a page of a user's chats ended: its last chat's opening and ticket.
struct chat_position {
    timestamp opened_at{};
    std::string ticket_id;
};

// A conversation a search of message text found: the seq of its newest
// message that matched.
struct text_match {
    std::string phone;
    std::uint64_t seq = 0;
};

// The store cannot take writes now (disk full, I/O error): webhooks answer
// 503 so that the provider retries; nothing of the batch was written.
class unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class store {
public:
    virtual ~store() = default;

    using write_done = boost::asio::any_completion_handler<void(std::exception_ptr)>;
    // Calls `done` once the batch is durable, or with `unavailable` if it
    // cannot be. A store that writes in place calls it before returning.
    virtual void async_write(write_batch batch, write_done done) = 0;
    // The same, for coroutines: resumes once the batch is durable; throws
    // `unavailable` if it cannot be.
    boost::asio::awaitable<void> write(write_batch batch);
    // Whether `done` now runs inside async_write calls nested so deep that
    // a writer resuming there should go on from its executor's queue
    // instead: a store that writes in place answers inside the call, and a
    // loop that writes once a turn (a deleted team's conversations, a
    // campaign's users) would otherwise go some frames deeper each turn
    // until the stack ran out.
    virtual bool answering_deep() const { return false; }
    // Rewrites the kept events that carry r's record (a deleted note's
    // message.created), as a write of its own after every write queued
    // before it: those in the blocks of events begun within the minute
    // before r.since, as the hub stores a record's events as they come.
    // Apart from write_batch, which every webhook moves about a dozen times.
    virtual void async_rewrite_events(events::data_rewrite r, write_done done) = 0;
    // Makes placeholders of an erased conversation's kept events
    // (events::erased_conversation), after every write queued before it:
    // `done` once that is decided, which a store that keeps a long log may
    // then carry out a part at a time between later writes, and on after a
    // restart.
    virtual void async_erase_events(events::erased_conversation e, write_done done) = 0;

    virtual std::optional<std::string> find_dedupe(std::string_view key) const = 0;
    virtual std::vector<chat::conversation> load_conversations() const = 0;
    // For every conversation whose row is older than its messages.
    virtual std::vector<row_catch_up> load_row_catch_ups() const = 0;
    // Up to `limit` messages with seq < before_seq, oldest first.
    virtual std::vector<chat::message> load_messages(std::string_view phone, std::uint64_t before_seq,
                                                     std::size_t limit) const = 0;
    virtual std::optional<chat::message> find_message(std::string_view phone, std::uint64_t seq) const = 0;
    // One of our own messages (not the user's) by its provider id: statuses only name those.
    virtual std::optional<chat::message> find_message_by_channel_id(std::string_view phone,
                                                                    std::string_view channel_id) const = 0;
    // One of the user's own messages by its provider id, which only its
    // dedupe record names (`dedupe_key`, the key its webhook was taken
    // under): its seq, or 0 when none is found.
    virtual std::uint64_t find_user_message_seq(std::string_view phone, std::string_view channel_id,
                                                std::string_view dedupe_key) const = 0;
    // The user's newest message with seq < before_seq, however many of ours
    // came after it: WhatsApp's 24-hour window runs from it.
    virtual std::optional<chat::message> find_latest_user_message(std::string_view phone,
                                                                  std::uint64_t before_seq) const = 0;
    virtual std::vector<outbox_item> load_outbox() const = 0;
    // Each rating given in [from, to), in the order given: a report's period,
    // one at a time (a year's are a million).
    virtual void each_rating(timestamp from, timestamp to, const std::function<void(const rating&)>& f) const = 0;
    // User messages after `seq`: a conversation's unread count after a read mark.
    virtual std::uint32_t count_user_messages_after(std::string_view phone, std::uint64_t seq) const = 0;

    // Messages with `at` in [from, to), in (at, phone, seq) order, after the
    // given key (none: from the start), at most `limit`: export pages.
    struct message_key {
        timestamp at{};
        std::string phone;
        std::uint64_t seq = 0;
    };
    virtual std::vector<chat::message> load_messages_between(timestamp from, timestamp to,
                                                             const std::optional<message_key>& after,
                                                             std::size_t limit) const = 0;
    // The conversations whose messages from the user or an agent contain
    // `text` (case-insensitive), each with the seq of its newest such
    // message; past `limit`, the `limit` with the latest matches. The bot's are left out: its menu is
    // in every conversation. `stop`, if set, is asked every few
    // milliseconds of the scan (from its thread); once it says yes, the
    // scan ends with what it has found (its asker has gone).
    virtual std::vector<text_match> text_matches(std::string_view text, std::size_t limit,
                                                 const std::function<bool()>& stop) const = 0;
    // Brings the index text_matches reads up to every message written so
    // far, and returns when it is (the SQLite store keeps it in the
    // background; tests and benchmarks wait for it). Searches are right
    // either way.
    virtual void catch_up_search_index() {}

    // Chats not closed yet (restored onto their conversations at start).
    virtual std::vector<chat::chat_record> load_open_chats() const = 0;
    // Each chat opened or closed within [from, to), one at a time: a year's
    // read whole were 670 MB for one report.
    virtual void each_chat(timestamp from, timestamp to, const std::function<void(const chat::chat_record&)>& f) const = 0;
    // Up to `limit` of `phone`'s chats, the newest first (by opening, then
    // by ticket: two opened in one millisecond are listed alike each time),
    // after `after` when given.
    virtual std::vector<chat::chat_record> load_chats_of(std::string_view phone,
                                                         const std::optional<chat_position>& after,
                                                         std::size_t limit) const = 0;
    // The score the user gave the chat `ticket_id` (their last, if they gave two); nullopt: none.
    virtual std::optional<int> find_rating(std::string_view ticket_id) const = 0;

    virtual std::vector<canned_response> load_canned_responses() const = 0;
    // Up to `limit` audit entries with id < before_id, newest first.
    virtual std::vector<audit_entry> load_audit(std::uint64_t before_id, std::size_t limit) const = 0;
    // The server's own small state, by name (settings_put).
    virtual std::optional<std::string> find_setting(std::string_view key) const = 0;
    // `agent`'s notifications older than `before_id`, newest first; only
    // those not read, when `unread_only`.
    virtual std::vector<notify::notification> load_notifications(std::string_view agent, std::uint64_t before_id,
                                                                  std::size_t limit, bool unread_only) const = 0;
    virtual std::optional<notify::notification> find_notification(std::uint64_t id) const = 0;
    virtual std::size_t count_unread_notifications(std::string_view agent) const = 0;
    // The highest id kept; 0 for none.
    virtual std::uint64_t last_notification_id() const = 0;

    virtual std::vector<agent_record> load_agents() const = 0;
    virtual std::optional<agent_record> find_agent(std::string_view username) const = 0;
    // Sessions that have not expired at `now`.
    virtual std::vector<session_record> load_sessions(timestamp now) const = 0;
    // Events with seq > after, oldest first, at most `limit`.
    virtual std::vector<event_record> load_events(std::uint64_t after, std::size_t limit) const = 0;
    // The lowest and highest stored event seq; {0, 0} when there is none.
    virtual std::pair<std::uint64_t, std::uint64_t> event_bounds() const = 0;
    // A stop has begun: work that can wait for the next start (the search
    // index's filing) lets go now, while the requests in flight finish,
    // rather than at close(), after them. Writes still come and are kept.
    virtual void stopping() {}
    // Flushes whatever is pending; called once at shutdown.
    virtual void close() = 0;
};

std::unique_ptr<store> make_memory_store();

struct sqlite_options {
    // Batches written in one transaction at most: 1 is one commit (one
    // fsync) per batch, for comparison; the default is group commit.
    std::size_t group_commit_max = 1024;
    // Refuse writes past this size of the database and its search index
    // together (SQLITE_FULL → `unavailable`); 0: no limit.
    std::uint64_t max_size_mb = 0;
    // WAL frames (pages) that start a checkpoint, on a thread of its own.
    int checkpoint_frames = 1000;
    // Hold the data directory's lock while open, and refuse to open (with
    // directory_in_use) while another process holds it. A server's
    // conversations live in its memory: it must be their only writer.
    bool lock_directory = false;
    // Keep the text search's index (search.db beside the database) up to
    // date, and search with it.
    bool search_index = true;
};

// Another process holds the data directory's lock: a running server.
struct directory_in_use : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `dir`/switchboard.db, created on first start, migrated forward on every
// start. Throws with the path and the reason when the file is unusable.
std::unique_ptr<store> open_sqlite_store(const std::string& dir, sqlite_options options = {});
std::string sqlite_file_in(const std::string& dir);
// The schema version this build writes (PRAGMA user_version).
int schema_version();

struct backup_summary {
    std::uint64_t bytes = 0;
    std::uint64_t conversations = 0;
    std::uint64_t messages = 0;
    int schema = 0;
};
// A consistent copy of `dir`/switchboard.db in the new file `to`, taken
// while a server may be writing to it: one read transaction, which WAL lets
// the server's commits go on beside. Everything acknowledged before it
// began is in the copy, which is checked and synced before this returns.
// Throws std::runtime_error naming the path and the problem, and then
// leaves no file at `to`.
backup_summary backup_sqlite_store(const std::string& dir, const std::string& to);
// Puts the backup `from` in place of `dir`/switchboard.db, with no server
// running there (directory_in_use otherwise). The backup is checked first;
// the database it replaces is renamed aside with its WAL, never deleted,
// and `replaced` names it. Throws std::runtime_error with the reason, and
// then changes nothing.
struct restore_summary : backup_summary {
    std::string replaced;  // where the database it replaced went; empty when there was none
};
restore_summary restore_sqlite_store(const std::string& dir, const std::string& from);

}  // namespace switchboard::store
