// The embedded default store. One writer thread takes the batches of every
// actor and commits as many as are waiting in one transaction (group commit),
// so the io threads never wait on fsync; point reads and scans use a
// connection each, and checkpoints a thread and connection of their own
// (checkpointer.hpp).
#include "switchboard/store/store.hpp"

#include "checkpointer.hpp"
#include "directory_lock.hpp"
#include "erasure_list.hpp"
#include "event_block_row.hpp"
#include "event_blocks.hpp"
#include "event_log_erasures.hpp"
#include "index_scan.hpp"
#include "key_index.hpp"
#include "message_index.hpp"
#include "schema.hpp"
#include "search_index.hpp"
#include "sqlite.hpp"
#include "time_index.hpp"
#include "switchboard/chat/bot.hpp"
#include "switchboard/core/log.hpp"
#include "switchboard/core/repeated_problem.hpp"
#include "switchboard/core/space_separated.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace switchboard::store {

namespace net = boost::asio;
using chat::conversation;
using chat::message;

namespace {

std::optional<std::int64_t> ms(const std::optional<timestamp>& t) {
    if (!t) return std::nullopt;
    return to_unix_ms(*t);
}
std::optional<timestamp> time_of(const std::optional<std::int64_t>& v) {
    if (!v) return std::nullopt;
    return from_unix_ms(*v);
}

constexpr std::string_view message_columns =
    "phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id, reply_to, choices";
// A media kind's list as SQL: ('image','audio',…).
std::string media_kinds_sql() {
    std::string out = "(";
    for (auto k : chat::media_kinds) out += (out.size() > 1 ? ",'" : "'") + std::string(k) + "'";
    return out + ")";
}

// The column of a side table (phone, seq, …) for a message row, read only
// when `when` holds for it.
std::string side_column(std::string_view when, std::string_view table, std::string_view column) {
    return ", CASE WHEN " + std::string(when) + " THEN coalesce((SELECT " + std::string(column) + " FROM " +
           std::string(table) + " x WHERE x.phone = messages.phone AND x.seq = messages.seq), '') ELSE '' END";
}

// A message as read: its columns, why it failed when it did (schema v17),
// a media message's file (v19) and when a note was edited (v50). Those are kept in tables of their
// own, so a message's row is written as before, and looked up by (phone,
// seq) only for the rows that can have them.
const std::string message_select = [] {
    auto is_media = "kind IN " + media_kinds_sql();
    return "SELECT " + std::string(message_columns) + side_column("status = 'failed'", "message_errors", "error") +
           side_column(is_media, "message_media", "media_id") + side_column(is_media, "message_media", "mime_type") +
           side_column(is_media, "message_media", "filename") + side_column("kind = 'note'", "message_edits", "at");
}();

message read_message(const sqlite::statement& st) {
    message m;
    m.phone = st.get_text(0);
    m.seq = static_cast<std::uint64_t>(st.get_int(1));
    m.id = st.get_text(2);
    m.from = chat::sender_from_string(st.get_text(3)).value_or(chat::sender::user);
    m.agent = st.get_text(4);
    m.text = st.get_text(5);
    m.kind = st.get_text(6);
    m.at = from_unix_ms(st.get_int(7));
    m.status = chat::message_status_from_string(st.get_text(8)).value_or(chat::message_status::received);
    m.channel_id = st.get_text(9);
    m.client_id = st.get_text(10);
    m.reply_to = static_cast<std::uint64_t>(st.get_int(11));
    // Served as JSON as it is: a row edited into something else offers nothing.
    if (auto choices = st.get_bytes(12); !choices.empty()) m.choices = chat::kept_choices(choices);
    m.error = st.get_text(13);
    if (auto media_id = st.get_text(14); !media_id.empty())
        m.media = chat::attachment{std::move(media_id), st.get_text(15), st.get_text(16)};
    if (auto edited = st.get_int(17)) m.edited_at = from_unix_ms(edited);  // '' (none) reads 0
    return m;
}

// chat_record::answered_waits as its column keeps them: "began-answered" in
// Unix ms, comma-separated. A pair that does not read (written by hand) is
// left out rather than the chat.
std::string waits_text(const std::vector<std::pair<timestamp, timestamp>>& waits) {
    std::string out;
    for (auto& [began, answered] : waits) {
        if (!out.empty()) out += ',';
        out += std::to_string(to_unix_ms(began)) + '-' + std::to_string(to_unix_ms(answered));
    }
    return out;
}

std::vector<std::pair<timestamp, timestamp>> waits_from_text(std::string_view text) {
    std::vector<std::pair<timestamp, timestamp>> out;
    while (!text.empty()) {
        auto end = text.find(',');
        auto pair = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        auto dash = pair.find('-');
        std::int64_t began = 0, answered = 0;
        auto a = std::from_chars(pair.data(), pair.data() + std::min(dash, pair.size()), began);
        if (dash == std::string_view::npos || a.ec != std::errc{} || a.ptr != pair.data() + dash) continue;
        auto b = std::from_chars(pair.data() + dash + 1, pair.data() + pair.size(), answered);
        if (b.ec != std::errc{} || b.ptr != pair.data() + pair.size()) continue;
        out.emplace_back(from_unix_ms(began), from_unix_ms(answered));
    }
    return out;
}

constexpr std::string_view chat_select =
    "SELECT ticket_id, phone, opened_at, opened_by, queued_at, assigned_at, agent, first_response_at, "
    "last_assigned_at, last_response_at, closed_at, close_reason, waiting_since, target_missed_for, answered_waits, "
    "resolution_missed, team, labels, first_seq, channel FROM chats";

constexpr std::string_view notification_select =
    "SELECT id, agent, type, conversation, name, actor, seq, text, target, created_at, read_at FROM notifications";

notify::notification read_notification(const sqlite::statement& st) {
    return {static_cast<std::uint64_t>(st.get_int(0)),
            st.get_text(1),
            st.get_text(2),
            st.get_text(3),
            st.get_text(4),
            st.get_text(5),
            static_cast<std::uint64_t>(st.get_int(6)),
            st.get_text(7),
            st.get_text(8),
            from_unix_ms(st.get_int(9)),
            time_of(st.get_optional_int(10))};
}

chat::chat_record read_chat(const sqlite::statement& st) {
    return {st.get_text(0),
            st.get_text(1),
            from_unix_ms(st.get_int(2)),
            st.get_text(3),
            time_of(st.get_optional_int(4)),
            time_of(st.get_optional_int(5)),
            st.get_text(6),
            time_of(st.get_optional_int(7)),
            time_of(st.get_optional_int(8)),
            time_of(st.get_optional_int(9)),
            time_of(st.get_optional_int(10)),
            st.get_text(11),
            time_of(st.get_optional_int(12)),
            time_of(st.get_optional_int(13)),
            waits_from_text(st.get_text(14)),
            st.get_int(15) != 0,
            st.get_text(16),
            split_space_separated(st.get_text(17)),
            static_cast<std::uint64_t>(st.get_int(18)),
            chat::channel_from_string(st.get_text(19)).value_or(chat::channel::plain)};
}

agent_record read_agent(const sqlite::statement& st) {
    return {st.get_text(0), st.get_text(1), st.get_text(2), st.get_text(3), st.get_int(4) != 0,
            static_cast<std::uint32_t>(st.get_int(5)), from_unix_ms(st.get_int(6)), st.get_int(7) != 0, st.get_text(8),
            st.get_text(9), st.get_text(10), st.get_int(11), st.get_text(12)};
}

using completion = store::write_done;

// A message a batch wrote; `phone` is the batch's own.
struct message_row {
    std::string_view phone;
    std::uint64_t seq;
    std::int64_t row;
    std::int64_t at_ms;
    bool inserted;  // false: an earlier row rewritten
    bool from_user;
};

// Where a batch's dedupe record went: its message's row, or a row of the
// dedupe table.
struct dedupe_row {
    std::int64_t row = 0;
    bool in_messages = false;
};

struct pending_write {
    write_batch batch;
    completion done;
    // Outstanding work on the caller's executor while the writer thread has
    // the batch, so that its io_context cannot run dry and drop the answer.
    net::any_completion_executor work;
    // The batch's events as one block, packed on the caller's thread: the
    // writer's time is every waiting caller's latency.
    std::optional<packed_event_block> events;
    std::vector<dedupe_row> dedupe_rows;  // where its dedupe records went, once written
    std::vector<message_row> message_rows;  // the rows its messages went to, once written
    // The rows of the messages it erased (erase_conversation), and the
    // largest rowid of the messages left then.
    std::vector<std::int64_t> erased_rows;
    std::int64_t rows_left = 0;
    // The rows deleted notes left for new ones (apply).
    std::vector<std::int64_t> left_rows;
    // Not a batch: events to rewrite (store::async_rewrite_events).
    std::optional<events::data_rewrite> rewrite;
    // An erased conversation's events to make placeholders of
    // (store::async_erase_events, or erase_again): its job, filled in as it
    // is kept.
    std::optional<sweep_job> erase_job;
};

// Resumes the waiting coroutine on its own executor, never on the writer
// thread (which runs no io_context, so `execute` always queues), and frees
// the write there too: its memory came from that thread, and the writer's
// time is the next group's latency.
void complete(std::unique_ptr<pending_write> p, std::exception_ptr e) {
    auto ex = net::get_associated_executor(p->done, net::system_executor());
    ex.execute([p = std::move(p), e]() mutable { std::move(p->done)(e); });
}

constexpr std::array<std::string_view, 33> conversation_columns{
    "phone",         "name",        "registered", "state",      "in_chat_support",    "chat_support_active",
    "chat_start_time", "support_ticket_id", "assignee", "queued_at", "rated_ticket_id", "rated_agent",
    "channel",       "wa_phone_number_id", "last_seq", "read_seq", "unread",           "last_message",
    "last_sender",   "created_at",  "updated_at", "last_activity", "last_message_seq", "undelivered",
    "last_message_kind", "labels", "blocked", "priority", "attributes", "snoozed_until", "team",
    "participants", "muted"};

// A conversation's attributes as kept in its row: "key\tvalue" lines. Keys
// are tokens and values one line without control characters (the API's
// rules), so neither has a tab or a newline.
std::string joined_attributes(const std::vector<std::pair<std::string, std::string>>& attributes) {
    std::string out;
    for (auto& [k, v] : attributes) out += k + '\t' + v + '\n';
    return out;
}
std::vector<std::pair<std::string, std::string>> split_attributes(std::string_view joined) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!joined.empty()) {
        auto end = std::min(joined.find('\n'), joined.size());
        auto line = joined.substr(0, end);
        if (auto tab = line.find('\t'); tab != std::string_view::npos)
            out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
        joined.remove_prefix(std::min(end + 1, joined.size()));
    }
    return out;
}

// An upsert, not INSERT OR REPLACE: replacing deletes the row and inserts it
// again under a new rowid, which dirties three pages per write instead of one.
std::string upsert_conversation_sql() {
    std::string cols, marks, updates;
    for (std::size_t i = 0; i < conversation_columns.size(); ++i) {
        auto c = conversation_columns[i];
        cols += (i ? ", " : "") + std::string(c);
        marks += i ? ",?" : "?";
        if (c != "phone") updates += (updates.empty() ? "" : ", ") + std::string(c) + " = excluded." + std::string(c);
    }
    return "INSERT INTO conversations (" + cols + ") VALUES (" + marks + ") ON CONFLICT (phone) DO UPDATE SET " + updates;
}

// The writer's connection and its statements, used only by the writer thread.
class writer_tables {
public:
    writer_tables(sqlite::connection& db, const message_index& messages, event_log_erasures& erasures)
        : db_(db),
          messages_(messages),
          event_erasures_(erasures),
          put_conversation_(db.prepare(upsert_conversation_sql())),
          insert_message_(db.prepare("INSERT INTO messages (" + std::string(message_columns) +
                                     ", dedupe_key, answer) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")),
          // A message stored before (found by (phone, seq) in the index) is rewritten in its row.
          update_message_(db.prepare("UPDATE messages SET phone = ?, seq = ?, id = ?, sender = ?, agent = ?, "
                                     "text = ?, kind = ?, at = ?, status = ?, channel_id = ?, client_id = ?, reply_to = ?, choices = ? "
                                     "WHERE rowid = ?")),
          put_message_error_(
              db.prepare("INSERT OR REPLACE INTO message_errors (phone, seq, error) VALUES (?,?,?)")),
          put_message_media_(db.prepare(
              "INSERT OR REPLACE INTO message_media (phone, seq, media_id, mime_type, filename) VALUES (?,?,?,?,?)")),
          put_message_edit_(db.prepare("INSERT OR REPLACE INTO message_edits (phone, seq, at) VALUES (?,?,?)")),
          put_outbox_(db.prepare(R"(INSERT OR REPLACE INTO outbox (message_id, phone, seq, channel,
              wa_phone_number_id, text, attempts, created_at, kind, ref, filename, context) VALUES (?,?,?,?,?,?,?,?,?,?,?,?))")),
          remove_outbox_(db.prepare("DELETE FROM outbox WHERE message_id = ?")),
          put_dedupe_(db.prepare("INSERT INTO dedupe (key, answer, at) VALUES (?,?,?)")),
          put_rating_(db.prepare("INSERT INTO ratings (phone, ticket_id, agent, score, at) VALUES (?,?,?,?,?)")),
          put_agent_(db.prepare(R"(INSERT OR REPLACE INTO agents (username, display_name, role, password_hash,
              available, max_chats, created_at, active, signature, email, totp_secret, totp_last_step,
              recovery_codes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?))")),
          put_session_(db.prepare(
              "INSERT OR REPLACE INTO sessions (token_hash, username, created_at, expires_at, name) VALUES (?,?,?,?,?)")),
          remove_session_(db.prepare("DELETE FROM sessions WHERE token_hash = ?")),
          remove_expired_sessions_(db.prepare("DELETE FROM sessions WHERE expires_at <= ?")),
          put_block_(db.prepare(insert_block_sql)),
          put_block_filter_(db.prepare(
              "INSERT INTO event_block_filters (block, conversations) VALUES (last_insert_rowid(), ?)")),
          old_blocks_(db.prepare("SELECT id, first_at, last_at, body FROM event_blocks WHERE first_at < ?")),
          remove_block_(db.prepare("DELETE FROM event_blocks WHERE id = ?")),
          rewrite_block_(db.prepare(rewrite_block_sql)),
          put_canned_(db.prepare(
              "INSERT OR REPLACE INTO canned_responses (shortcut, text, updated_by, updated_at) VALUES (?,?,?,?)")),
          remove_canned_(db.prepare("DELETE FROM canned_responses WHERE shortcut = ?")),
          put_setting_(db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?,?)")),
          remove_setting_(db.prepare("DELETE FROM settings WHERE key = ?")),
          put_chat_(db.prepare(R"(INSERT OR REPLACE INTO chats (ticket_id, phone, opened_at, opened_by, queued_at,
              assigned_at, agent, first_response_at, last_assigned_at, last_response_at, closed_at, close_reason,
              waiting_since, target_missed_for, answered_waits, resolution_missed, team, labels, first_seq, channel)
              VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))")),
          put_audit_(db.prepare("INSERT INTO audit_log (at, actor, action, target, details) VALUES (?,?,?,?,?)")),
          prune_audit_(db.prepare("DELETE FROM audit_log WHERE id <= last_insert_rowid() - ?")),
          put_notification_(db.prepare(R"(INSERT OR REPLACE INTO notifications (id, agent, type, conversation, name,
              actor, seq, text, target, created_at, read_at) VALUES (?,?,?,?,?,?,?,?,?,?,?))")),
          // Older than the agent's newest `kept`: from the id `kept` places down, if there is one.
          prune_notifications_(db.prepare(R"(DELETE FROM notifications WHERE agent = ?1 AND id <=
              (SELECT id FROM notifications WHERE agent = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2))")) {
        // apply() binds and runs in one expression: the values outlive each step.
        for (auto* st : all()) st->borrow_text();
    }

    // A transaction starts: rows inserted by an earlier one are in the index.
    void begin() { transaction_rows_.clear(); }

    // `dedupe_rows` gets where each of the batch's dedupe records went (its
    // message's row when that row is new here), and `message_rows` the row
    // of each of its messages.
    void apply(pending_write& p) {
        const auto& b = p.batch;
        const auto& events = p.events;
        auto& dedupe_rows = p.dedupe_rows;
        auto& message_rows = p.message_rows;
        auto now = to_unix_ms(std::chrono::system_clock::now());
        if (p.rewrite) rewrite_events(*p.rewrite);
        if (p.erase_job) event_erasures_.keep(*p.erase_job);
        if (b.erase_conversation) p.rows_left = erase_conversation(b.erase_conversation->phone, p.erased_rows);
        if (b.conversation) {
            auto& c = *b.conversation;
            put_conversation_.bind(1, c.phone)
                .bind(2, c.name)
                .bind(3, std::int64_t{c.registered})
                .bind(4, chat::to_string(c.state))
                .bind(5, std::int64_t{c.in_chat_support})
                .bind(6, std::int64_t{c.chat_support_active})
                .bind_optional(7, ms(c.chat_start_time))
                .bind(8, c.support_ticket_id)
                .bind(9, c.assignee)
                .bind_optional(10, ms(c.queued_at))
                .bind(11, c.rated_ticket_id)
                .bind(12, c.rated_agent)
                .bind(13, chat::to_string(c.via))
                .bind(14, c.wa_phone_number_id)
                .bind(15, static_cast<std::int64_t>(c.last_seq))
                .bind(16, static_cast<std::int64_t>(c.read_seq))
                .bind(17, std::int64_t{c.unread})
                .bind(18, c.last_message)
                .bind(19, chat::to_string(c.last_sender))
                .bind(20, to_unix_ms(c.created_at))
                .bind(21, to_unix_ms(c.updated_at))
                .bind(22, to_unix_ms(c.last_activity))
                .bind(23, static_cast<std::int64_t>(c.last_message_seq))
                .bind(24, std::int64_t{c.undelivered})
                .bind(25, c.last_message_kind)
                .bind(26, join_space_separated(c.labels))
                .bind(27, std::int64_t{c.blocked})
                .bind(28, static_cast<std::int64_t>(c.priority))
                .bind(29, joined_attributes(c.attributes))
                .bind_optional(30, ms(c.snoozed_until))
                .bind(31, c.team)
                .bind(32, join_space_separated(c.participants))
                .bind(33, std::int64_t{c.muted})
                .run();
        }
        message_rows.clear();
        dedupe_rows.assign(b.dedupe.size(), dedupe_row{});
        for (auto& m : b.messages) {
            auto row = row_of(b, m);
            // A note rewritten (deleted, or edited by its writer) moves to
            // a new row and its old one goes: the
            // search index's entry of the old row, which holds its old text,
            // then names no message (a search checks each row it finds
            // against the message index), across a restart too, until
            // the index drops it. Moved, since a row rewritten in place
            // would still be the message that entry names.
            std::optional<std::int64_t> moved_from;
            if (row && m.kind == "note") moved_from = std::exchange(row, std::nullopt);
            auto at_ms = to_unix_ms(m.at);
            // The dedupe record this row carries, if the row is new: one
            // answering this message, not placed yet.
            auto carried = b.dedupe.size();
            if (!row)
                for (std::size_t i = 0; i < b.dedupe.size() && carried == b.dedupe.size(); ++i)
                    if (m.seq && b.dedupe[i].seq == m.seq && !dedupe_rows[i].in_messages) carried = i;
            std::string_view dedupe_key = "", answer = "";  // not null: SQLite binds a null pointer as NULL
            if (carried < b.dedupe.size()) dedupe_key = b.dedupe[carried].key, answer = b.dedupe[carried].answer;
            auto& st = row ? update_message_.bind(14, *row) : insert_message_.bind(14, dedupe_key).bind(15, answer);
            st.bind(1, m.phone)
                .bind(2, static_cast<std::int64_t>(m.seq))
                .bind(3, m.id)
                .bind(4, chat::to_string(m.from))
                .bind(5, m.agent)
                .bind(6, m.text)
                .bind(7, m.kind)
                .bind(8, at_ms)
                .bind(9, chat::to_string(m.status))
                .bind(10, m.channel_id)
                .bind(11, m.client_id)
                .bind(12, static_cast<std::int64_t>(m.reply_to))
                .bind(13, m.choices ? std::string_view(*m.choices) : std::string_view(""))  // "", not null
                .run();
            if (!m.error.empty())
                put_message_error_.bind(1, m.phone).bind(2, static_cast<std::int64_t>(m.seq)).bind(3, m.error).run();
            if (m.media)
                put_message_media_.bind(1, m.phone)
                    .bind(2, static_cast<std::int64_t>(m.seq))
                    .bind(3, m.media->media_id)
                    .bind(4, m.media->mime_type)
                    .bind(5, m.media->filename)
                    .run();
            if (chat::was_edited(m))
                put_message_edit_.bind(1, m.phone).bind(2, static_cast<std::int64_t>(m.seq)).bind(3, to_unix_ms(m.edited_at)).run();
            else if (moved_from)  // deleted: its words and when they changed go together
                db_.prepare("DELETE FROM message_edits WHERE phone = ? AND seq = ?")
                    .bind(1, m.phone)
                    .bind(2, static_cast<std::int64_t>(m.seq))
                    .run();
            bool from_user = m.from == chat::sender::user;
            if (row) {
                message_rows.push_back({m.phone, m.seq, *row, at_ms, false, from_user});
            } else {
                auto inserted = sqlite3_last_insert_rowid(db_.handle());
                message_rows.push_back({m.phone, m.seq, inserted, at_ms, true, from_user});
                transaction_rows_.insert_or_assign(std::pair{std::string_view(m.phone), m.seq}, inserted);
                if (carried < b.dedupe.size()) dedupe_rows[carried] = {inserted, true};
                if (moved_from) {  // after the insert: deleted first, the last row's rowid would be given again
                    db_.prepare("DELETE FROM messages WHERE rowid = ?").bind(1, *moved_from).run();
                    p.left_rows.push_back(*moved_from);
                }
            }
        }
        for (auto& o : b.outbox_put)
            put_outbox_.bind(1, o.message_id)
                .bind(2, o.phone)
                .bind(3, static_cast<std::int64_t>(o.seq))
                .bind(4, chat::to_string(o.via))
                .bind(5, o.wa_phone_number_id)
                .bind(6, o.text)
                .bind(7, std::int64_t{o.attempts})
                .bind(8, to_unix_ms(o.created_at))
                .bind(9, o.kind)
                .bind(10, o.ref)
                .bind(11, o.filename)
                .bind(12, o.context)
                .run();
        for (auto& id : b.outbox_remove) remove_outbox_.bind(1, id).run();
        for (std::size_t i = 0; i < b.dedupe.size(); ++i)  // those with no new message to go with
            if (!dedupe_rows[i].in_messages) {
                put_dedupe_.bind(1, b.dedupe[i].key).bind(2, b.dedupe[i].answer).bind(3, now).run();
                dedupe_rows[i].row = sqlite3_last_insert_rowid(db_.handle());
            }
        for (auto& r : b.ratings)
            put_rating_.bind(1, r.phone)
                .bind(2, r.ticket_id)
                .bind(3, r.agent)
                .bind(4, std::int64_t{r.score})
                .bind(5, to_unix_ms(r.at))
                .run();
        for (auto& a : b.agents_put)
            put_agent_.bind(1, a.username)
                .bind(2, a.display_name)
                .bind(3, a.role)
                .bind(4, a.password_hash)
                .bind(5, std::int64_t{a.available})
                .bind(6, std::int64_t{a.max_chats})
                .bind(7, to_unix_ms(a.created_at))
                .bind(8, std::int64_t{a.active})
                .bind(9, a.signature)
                .bind(10, a.email)
                .bind(11, a.totp_secret)
                .bind(12, a.totp_last_step)
                .bind(13, a.recovery_codes)
                .run();
        for (auto& x : b.sessions_put)
            put_session_.bind(1, x.token_hash)
                .bind(2, x.username)
                .bind(3, to_unix_ms(x.created_at))
                .bind(4, to_unix_ms(x.expires_at))
                .bind(5, x.name)
                .run();
        for (auto& h : b.sessions_remove) remove_session_.bind(1, h).run();
        if (b.sessions_expired_by) remove_expired_sessions_.bind(1, to_unix_ms(*b.sessions_expired_by)).run();
        for (auto& s : b.canned_remove) remove_canned_.bind(1, s).run();
        for (auto& r : b.canned_put)
            put_canned_.bind(1, r.shortcut).bind(2, r.text).bind(3, r.updated_by).bind(4, to_unix_ms(r.updated_at)).run();
        for (auto& [key, value] : b.settings_put) put_setting_.bind(1, key).bind(2, value).run();
        for (auto& key : b.settings_remove) remove_setting_.bind(1, key).run();
        for (auto& e : b.audit_put)
            put_audit_.bind(1, to_unix_ms(e.at)).bind(2, e.actor).bind(3, e.action).bind(4, e.target).bind(5, e.details).run();
        // By id, which the primary key is: one range off its start.
        if (!b.audit_put.empty()) prune_audit_.bind(1, static_cast<std::int64_t>(audit_entries_kept)).run();
        std::vector<std::string_view> notified;
        for (auto& n : b.notifications_put) {
            put_notification_.bind(1, static_cast<std::int64_t>(n.id))
                .bind(2, n.agent)
                .bind(3, n.type)
                .bind(4, n.conversation)
                .bind(5, n.name)
                .bind(6, n.actor)
                .bind(7, static_cast<std::int64_t>(n.seq))
                .bind(8, n.text)
                .bind(9, n.target)
                .bind(10, to_unix_ms(n.created_at))
                .bind_optional(11, ms(n.read_at))
                .run();
            if (std::find(notified.begin(), notified.end(), n.agent) == notified.end()) notified.push_back(n.agent);
        }
        // Once for each agent the batch wrote to (nearly always one), not
        // once a row: marking all read rewrites up to 500 rows.
        for (auto agent : notified)
            prune_notifications_.bind(1, agent).bind(2, static_cast<std::int64_t>(notify::notifications_kept)).run();
        std::string filter;  // bound until the step
        if (events) {
            bind_block(put_block_, *events).run();
            filter = events->conversations.bytes();
            put_block_filter_.bind_blob(1, filter).run();
        }
        if (b.events_prune_before) prune_events(to_unix_ms(*b.events_prune_before));
        for (auto& c : b.chats_put)
            put_chat_.bind(1, c.ticket_id)
                .bind(2, c.phone)
                .bind(3, to_unix_ms(c.opened_at))
                .bind(4, c.opened_by)
                .bind_optional(5, ms(c.queued_at))
                .bind_optional(6, ms(c.assigned_at))
                .bind(7, c.agent)
                .bind_optional(8, ms(c.first_response_at))
                .bind_optional(9, ms(c.last_assigned_at))
                .bind_optional(10, ms(c.last_response_at))
                .bind_optional(11, ms(c.closed_at))
                .bind(12, c.close_reason)
                .bind_optional(13, ms(c.waiting_since))
                .bind_optional(14, ms(c.target_missed_for))
                .bind(15, waits_text(c.answered_waits))
                .bind(16, std::int64_t{c.resolution_missed})
                .bind(17, c.team)
                .bind(18, join_space_separated(c.labels))
                .bind(19, static_cast<std::int64_t>(c.first_seq))
                .bind(20, chat::to_string(c.via))
                .run();
    }

    // A statement that failed midway leaves itself bound: clear all of them.
    void reset_all() {
        for (auto* st : all()) st->reset();
    }

    sqlite::connection& db() { return db_; }

private:
    // Drops the events older than `before`: whole blocks, and the old part
    // of a block that straddles it (read, cut, and written again).
    void prune_events(std::int64_t before) {
        std::vector<std::int64_t> gone;
        std::vector<std::pair<std::int64_t, std::string>> cut;  // id, body
        old_blocks_.bind(1, before);
        while (old_blocks_.step()) {
            auto id = old_blocks_.get_int(0);
            if (old_blocks_.get_int(2) < before)
                gone.push_back(id);
            else  // never a TEXT block of one: its first and last times are the same
                cut.emplace_back(id, std::string(old_blocks_.get_bytes(3)));
        }
        old_blocks_.reset();
        for (auto id : gone) remove_block_.bind(1, id).run();
        for (auto& [id, old] : cut) bind_block(rewrite_block_, events_from(old, before)).bind(6, id).run();
    }

    // store::async_rewrite_events, by the blocks' times, the latest
    // first_at down, until one changes (may_carry): rare, so its statements
    // are prepared each time. A TEXT block of one (from a log before v9) is
    // older than any record deleted now.
    void rewrite_events(const events::data_rewrite& r) {
        auto [earliest, latest] = first_at_of_blocks_carrying(r);
        // The index by first_at answers this alone, in that order (it holds
        // the rowid): blocks are read one at a time, and only until the one.
        auto near = db_.prepare("SELECT id FROM event_blocks WHERE first_at BETWEEN ? AND ? ORDER BY first_at DESC");
        near.bind(1, earliest).bind(2, latest);
        auto block = db_.prepare("SELECT first_at, last_at, body FROM event_blocks WHERE id = ? AND typeof(body) = 'blob'");
        while (near.step()) {
            auto id = near.get_int(0);
            block.bind(1, id);
            std::optional<packed_event_block> now;
            if (block.step() && may_carry(block.get_int(0), block.get_int(1), r)) now = rewritten_block(block.get_bytes(2), r);
            block.reset();
            if (!now) continue;
            near.reset();  // done reading the table before it is written
            bind_block(rewrite_block_, *now).bind(6, id).run();
            return;
        }
    }

    // Everything of `phone`'s conversation (write_batch::erase_conversation).
    // Rare, so its statements are prepared each time. `rows` gets the rows
    // its messages were in; returns the largest rowid of the messages left.
    std::int64_t erase_conversation(const std::string& phone, std::vector<std::int64_t>& rows) {
        rows = messages_.rows_of(phone);
        for (auto it = transaction_rows_.begin(); it != transaction_rows_.end();) {
            if (it->first.first != phone) {
                ++it;
                continue;
            }
            rows.push_back(it->second);
            it = transaction_rows_.erase(it);
        }
        auto remove_row = db_.prepare("DELETE FROM messages WHERE rowid = ?");
        for (auto row : rows) remove_row.bind(1, row).run();
        // Ratings by their chats' tickets, which they have an index on.
        for (const char* sql : {"DELETE FROM ratings WHERE ticket_id IN (SELECT ticket_id FROM chats WHERE phone = ?1)",
                                "DELETE FROM chats WHERE phone = ?1", "DELETE FROM message_errors WHERE phone = ?1",
                                "DELETE FROM message_media WHERE phone = ?1", "DELETE FROM message_edits WHERE phone = ?1",
                                "DELETE FROM outbox WHERE phone = ?1",
                                "DELETE FROM notifications WHERE conversation = ?1",
                                "DELETE FROM conversations WHERE phone = ?1"})
            db_.prepare(sql).bind(1, phone).run();
        auto left = db_.prepare("SELECT max(rowid) FROM messages");
        return left.step() ? left.get_int(0) : 0;  // NULL, none left, reads 0
    }

    // The row that holds `m`: written in this transaction, or before; none
    // for a message the step made.
    std::optional<std::int64_t> row_of(const write_batch& b, const message& m) const {
        if (b.new_messages_from_seq && m.seq >= b.new_messages_from_seq) return std::nullopt;
        auto it = transaction_rows_.find({m.phone, m.seq});
        if (it != transaction_rows_.end()) return it->second;
        return messages_.find(m.phone, m.seq);
    }

    struct phone_seq_hash {
        std::size_t operator()(const std::pair<std::string_view, std::uint64_t>& k) const {
            return hash_string(k.first) ^ (k.second * 0x9e3779b97f4a7c15ull);
        }
    };

    std::array<sqlite::statement*, 28> all() {
        return {&put_conversation_, &insert_message_, &update_message_, &put_message_error_, &put_message_media_,
                &put_message_edit_, &put_outbox_,
                &remove_outbox_, &put_dedupe_, &put_rating_, &put_agent_, &put_session_, &remove_session_,
                &remove_expired_sessions_, &put_block_, &put_block_filter_, &old_blocks_, &remove_block_, &rewrite_block_,
                &put_canned_, &remove_canned_, &put_setting_, &remove_setting_, &put_chat_, &put_audit_, &prune_audit_,
                &put_notification_, &prune_notifications_};
    }

    sqlite::connection& db_;
    const message_index& messages_;
    event_log_erasures& event_erasures_;
    // Messages inserted in the open transaction, which the index gets only
    // once it commits; a later batch of the same group may update them.
    std::unordered_map<std::pair<std::string_view, std::uint64_t>, std::int64_t, phone_seq_hash> transaction_rows_;
    sqlite::statement put_conversation_, insert_message_, update_message_, put_message_error_, put_message_media_,
        put_message_edit_, put_outbox_,
        remove_outbox_, put_dedupe_, put_rating_, put_agent_, put_session_, remove_session_, remove_expired_sessions_,
        put_block_, put_block_filter_, old_blocks_, remove_block_, rewrite_block_, put_canned_, remove_canned_, put_setting_,
        remove_setting_, put_chat_,
        put_audit_, prune_audit_, put_notification_, prune_notifications_;
};

class sqlite_store final : public store {
public:
    sqlite_store(const std::string& path, sqlite_options options, std::optional<directory_lock> lock)
        : lock_(std::move(lock)),
          options_(options),
          writer_db_(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX),
          erasures_(std::filesystem::path(path).parent_path().string()) {
        // journal_mode reads the header: the first statement to fail on a file that is not a database.
        writer_db_.exec("PRAGMA journal_mode = WAL");
        writer_db_.exec("PRAGMA synchronous = FULL");  // an acknowledged commit survives power loss too
        writer_db_.exec("PRAGMA foreign_keys = ON");
        // What is deleted is overwritten with zeros, not left in free space: an
        // erased user's and a deleted note's words leave the file's bytes too.
        // Debian builds SQLite so; another build might not.
        writer_db_.exec("PRAGMA secure_delete = ON");
        if (options_.max_size_mb) {
            page_size_ = static_cast<std::uint64_t>(writer_db_.page_size());
            fit_size_limit();
        }
        migrate(writer_db_);
        quick_reads_ = std::make_unique<read_connection>(path);
        scan_reads_ = std::make_unique<read_connection>(path);
        event_log_erasures_ = std::make_unique<event_log_erasures>(writer_db_, lock_.has_value());
        tables_ = std::make_unique<writer_tables>(writer_db_, message_rows_, *event_log_erasures_);
        scan_into_indexes(writer_db_, message_rows_, message_times_, message_dedupe_keys_, table_dedupe_keys_);
        checkpointer_ = std::make_unique<checkpointer>(writer_db_, path, options_.checkpoint_frames);
        if (options_.search_index) open_search_index(path);
        // Only with the directory's lock: `switchboard agent add` opens the
        // database beside a running server, which does this itself.
        if (lock_) erase_again();
        writer_ = std::thread([this] {
            pthread_setname_np(pthread_self(), "sb-store");
            write_loop();
        });
    }

    ~sqlite_store() override { close(); }

    void async_write(write_batch batch, write_done done) override {
        auto work = net::prefer(net::get_associated_executor(done, net::system_executor()),
                                net::execution::outstanding_work.tracked);
        std::optional<packed_event_block> events;
        std::exception_ptr failed;
        try {
            if (!batch.events_put.empty()) events = pack_events(batch.events_put);
        } catch (const std::exception& e) {
            log::error("store write failed", {{"error", e.what()}});
            failed = std::make_exception_ptr(unavailable(e.what()));
        }
        enqueue(std::make_unique<pending_write>(std::move(batch), std::move(done), std::move(work), std::move(events)),
                failed);
    }

    void async_rewrite_events(events::data_rewrite r, write_done done) override {
        auto p = not_a_batch(std::move(done));
        p->rewrite = std::move(r);
        enqueue(std::move(p), nullptr);
    }

    // Kept as a job with the writes queued before it, and answered then;
    // carried out between later writes (event_log_erasures).
    void async_erase_events(events::erased_conversation e, write_done done) override {
        event_log_erasures_->asked(e);
        auto p = not_a_batch(std::move(done));
        p->erase_job = sweep_job{.erased = std::move(e)};
        enqueue(std::move(p), nullptr);
    }

    static std::unique_ptr<pending_write> not_a_batch(write_done done) {
        auto work = net::prefer(net::get_associated_executor(done, net::system_executor()),
                                net::execution::outstanding_work.tracked);
        return std::make_unique<pending_write>(write_batch{}, std::move(done), std::move(work), std::nullopt);
    }

    // In the writer's queue, in order; or answered `failed` at once.
    void enqueue(std::unique_ptr<pending_write> p, std::exception_ptr failed) {
        std::unique_lock lock(mutex_);
        if (closing_ && !failed) failed = std::make_exception_ptr(unavailable("the store is closed"));
        if (failed) {
            lock.unlock();
            complete(std::move(p), failed);
            return;
        }
        queue_.push_back(std::move(p));
        wake_.notify_one();
    }

    std::vector<row_catch_up> load_row_catch_ups() const override {
        std::lock_guard lock(quick_reads_->mutex);
        // The actors keep each row at most a few dozen messages behind, so
        // this reads a few rows per conversation that has any to catch up.
        reset_on_exit st_guard(prepared("SELECT phone, last_seq FROM conversations"));
        auto& st = *st_guard;
        std::vector<row_catch_up> out;
        while (st.step()) {
            auto phone = st.get_text(0);
            auto row_seq = static_cast<std::uint64_t>(st.get_int(1));
            auto newest = message_rows_.last(phone);
            if (!newest || newest->seq <= row_seq) continue;
            auto last = message_at(newest->row, phone, newest->seq);
            if (!last) continue;
            row_catch_up up{std::move(*last), message_rows_.user_messages_after(phone, row_seq), std::nullopt};
            up.preview = newest_preview_after(phone, row_seq, up.newest);
            out.push_back(std::move(up));
        }
        return out;
    }

    // The newest message past the row that moves the preview, read from the
    // newest back: mostly the bot's acknowledgement, then the user's
    // message it answered.
    std::optional<chat::message> newest_preview_after(std::string_view phone, std::uint64_t row_seq,
                                                      const chat::message& newest) const {
        if (chat::moves_preview(newest)) return newest;
        auto places = message_rows_.before(phone, newest.seq, static_cast<std::size_t>(newest.seq - row_seq));
        for (auto p = places.rbegin(); p != places.rend() && p->seq > row_seq; ++p)
            if (auto m = message_at(p->row, phone, p->seq); m && chat::moves_preview(*m)) return m;
        return std::nullopt;
    }

    std::optional<std::string> find_dedupe(std::string_view key) const override {
        if (auto answer = find_answer(message_dedupe_keys_, key, answers_in_messages)) return answer;
        return find_answer(table_dedupe_keys_, key, answers_in_dedupe_table);
    }

    // How to read answers from a table that holds dedupe keys.
    struct answer_reads {
        const char* by_row;  // the key and the answer in a row
        const char* by_key;  // the first answer under a key
    };
    static constexpr answer_reads answers_in_messages{
        "SELECT dedupe_key, answer FROM messages WHERE rowid = ?",
        "SELECT answer FROM messages WHERE dedupe_key = ? ORDER BY rowid LIMIT 1"};
    static constexpr answer_reads answers_in_dedupe_table{
        "SELECT key, answer FROM dedupe WHERE rowid = ?",
        "SELECT answer FROM dedupe WHERE key = ? ORDER BY rowid LIMIT 1"};

    // `key`'s answer, where `keys` says its row is.
    std::optional<std::string> find_answer(const key_index& keys, std::string_view key,
                                           const answer_reads& reads) const {
        auto row = keys.find(key);
        if (row == key_index::absent) return std::nullopt;
        std::lock_guard lock(quick_reads_->mutex);
        if (row == key_index::ambiguous) {  // a shared hash: only a scan can tell
            reset_on_exit st_guard(prepared(reads.by_key));
            auto& st = *st_guard;
            st.bind(1, key);
            if (!st.step()) return std::nullopt;
            return st.get_text(0);
        }
        reset_on_exit st_guard(prepared(reads.by_row));
        auto& st = *st_guard;
        st.bind(1, row);
        if (!st.step() || st.get_text(0) != key) return std::nullopt;  // another key with the same hash
        return st.get_text(1);
    }

    std::vector<conversation> load_conversations() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(R"(SELECT phone, name, registered, state, in_chat_support, chat_support_active,
            chat_start_time, support_ticket_id, assignee, queued_at, rated_ticket_id, rated_agent, channel,
            wa_phone_number_id, last_seq, read_seq, unread, last_message, last_sender, created_at, updated_at,
            last_activity, last_message_seq, undelivered, last_message_kind, labels, blocked, priority, attributes,
            snoozed_until, team, participants, muted FROM conversations)"));
        auto& st = *st_guard;
        std::vector<conversation> out;
        while (st.step()) {
            conversation c;
            c.phone = st.get_text(0);
            c.name = st.get_text(1);
            c.registered = st.get_int(2) != 0;
            c.state = chat::conv_state_from_string(st.get_text(3)).value_or(chat::conv_state::idle);
            c.in_chat_support = st.get_int(4) != 0;
            c.chat_support_active = st.get_int(5) != 0;
            c.chat_start_time = time_of(st.get_optional_int(6));
            c.support_ticket_id = st.get_text(7);
            c.assignee = st.get_text(8);
            c.queued_at = time_of(st.get_optional_int(9));
            c.rated_ticket_id = st.get_text(10);
            c.rated_agent = st.get_text(11);
            c.via = chat::channel_from_string(st.get_text(12)).value_or(chat::channel::plain);
            c.wa_phone_number_id = st.get_text(13);
            c.last_seq = static_cast<std::uint64_t>(st.get_int(14));
            c.read_seq = static_cast<std::uint64_t>(st.get_int(15));
            c.unread = static_cast<std::uint32_t>(st.get_int(16));
            c.last_message = st.get_text(17);
            c.last_sender = chat::sender_from_string(st.get_text(18)).value_or(chat::sender::user);
            c.created_at = from_unix_ms(st.get_int(19));
            c.updated_at = from_unix_ms(st.get_int(20));
            c.last_activity = from_unix_ms(st.get_int(21));
            c.last_message_seq = static_cast<std::uint64_t>(st.get_int(22));
            c.undelivered = static_cast<std::uint32_t>(st.get_int(23));
            c.last_message_kind = st.get_text(24);
            c.labels = split_space_separated(st.get_text(25));
            c.blocked = st.get_int(26) != 0;
            c.priority = static_cast<chat::conv_priority>(std::clamp<std::int64_t>(st.get_int(27), 0, 4));
            c.attributes = split_attributes(st.get_text(28));
            c.snoozed_until = time_of(st.get_optional_int(29));
            c.team = st.get_text(30);
            c.participants = split_space_separated(st.get_text(31));
            c.muted = st.get_int(32) != 0;
            out.push_back(std::move(c));
        }
        return out;
    }

    std::vector<message> load_messages(std::string_view phone, std::uint64_t before_seq,
                                       std::size_t limit) const override {
        auto rows = message_rows_.before(phone, before_seq, limit);
        std::lock_guard lock(quick_reads_->mutex);
        std::vector<message> out;
        out.reserve(rows.size());
        for (auto& r : rows)
            if (auto m = message_at(r.row, phone, r.seq)) out.push_back(std::move(*m));
        return out;
    }

    std::optional<message> find_message(std::string_view phone, std::uint64_t seq) const override {
        auto row = message_rows_.find(phone, seq);
        if (!row) return std::nullopt;
        std::lock_guard lock(quick_reads_->mutex);
        return message_at(*row, phone, seq);
    }

    std::optional<message> find_message_by_channel_id(std::string_view phone,
                                                      std::string_view channel_id) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(message_select +
                                      " FROM messages WHERE phone = ? AND channel_id = ? AND channel_id <> '' AND sender <> 'user'"));
        auto& st = *st_guard;
        st.bind(1, phone).bind(2, channel_id);
        if (!st.step()) return std::nullopt;
        return read_message(st);
    }

    // Found in the message index, which marks the user's messages: one row read.
    std::optional<message> find_latest_user_message(std::string_view phone, std::uint64_t before_seq) const override {
        auto place = message_rows_.last_from_user(phone, before_seq);
        if (!place) return std::nullopt;
        std::lock_guard lock(quick_reads_->mutex);
        return message_at(place->row, phone, place->seq);
    }

    // The dedupe key is kept in its message's row and indexed by hash in
    // memory (message_dedupe_keys_): a point read, no index on disk.
    std::uint64_t find_user_message_seq(std::string_view phone, std::string_view channel_id,
                                        std::string_view dedupe_key) const override {
        auto row = message_dedupe_keys_.find(dedupe_key);
        if (row == key_index::absent) return 0;
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(
            row == key_index::ambiguous  // a shared hash: only a scan can tell
                ? "SELECT seq, phone, channel_id, sender FROM messages WHERE dedupe_key = ?1 ORDER BY rowid LIMIT 1"
                : "SELECT seq, phone, channel_id, sender FROM messages WHERE rowid = ?2 AND dedupe_key = ?1"));
        auto& st = *st_guard;
        st.bind(1, dedupe_key);
        if (row != key_index::ambiguous) st.bind(2, row);
        if (!st.step() || st.get_text(1) != phone || st.get_text(2) != channel_id || st.get_text(3) != "user") return 0;
        return static_cast<std::uint64_t>(st.get_int(0));
    }

    std::vector<outbox_item> load_outbox() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(R"(SELECT message_id, phone, seq, channel, wa_phone_number_id, text, attempts,
            created_at, kind, ref, filename, context FROM outbox ORDER BY phone, seq)"));
        auto& st = *st_guard;
        std::vector<outbox_item> out;
        while (st.step())
            out.push_back({st.get_text(0), st.get_text(1), static_cast<std::uint64_t>(st.get_int(2)),
                           chat::channel_from_string(st.get_text(3)).value_or(chat::channel::plain), st.get_text(4),
                           st.get_text(5), static_cast<std::uint32_t>(st.get_int(6)), from_unix_ms(st.get_int(7)),
                           st.get_text(8), st.get_text(9), st.get_text(10), st.get_text(11)});
        return out;
    }

    void each_rating(timestamp from, timestamp to, const std::function<void(const rating&)>& f) const override {
        std::lock_guard lock(scan_reads_->mutex);
        reset_on_exit st_guard(scan_reads_->prepared(
            read_through("SELECT min(at) FROM ratings", from, to)
                ? "SELECT phone, ticket_id, agent, score, at FROM ratings WHERE +at >= ? AND +at < ? ORDER BY id"
                : "SELECT phone, ticket_id, agent, score, at FROM ratings WHERE at >= ? AND at < ? ORDER BY id"));
        auto& st = *st_guard;
        st.bind(1, to_unix_ms(from)).bind(2, to_unix_ms(to));
        rating r;
        while (st.step()) {
            r = {st.get_text(0), st.get_text(1), st.get_text(2), static_cast<int>(st.get_int(3)),
                 from_unix_ms(st.get_int(4))};
            f(r);
        }
    }

    std::uint32_t count_user_messages_after(std::string_view phone, std::uint64_t seq) const override {
        return message_rows_.user_messages_after(phone, seq);
    }

    std::vector<text_match> text_matches(std::string_view text, std::size_t limit,
                                         const std::function<bool()>& stop) const override {
        std::string pattern = "%";
        for (char c : text) {  // LIKE wildcards in the query are literal characters
            if (c == '%' || c == '_' || c == '\\') pattern += '\\';
            pattern += c;
        }
        pattern += '%';
        std::lock_guard lock(scan_reads_->mutex);
        // From the newest row back (rows are written in time order): a
        // conversation's first match is its newest, and once `limit`
        // conversations are found, the search ends at the next one: those
        // found are the ones with the latest matches. The rows the index
        // holds are read from it; those after, straight from the table.
        std::int64_t indexed = search_index_ && search_index::can_find(text) ? search_index_->upto() : 0;
        std::vector<text_match> out;
        std::unordered_map<std::string, std::size_t> found;  // phone → its place in `out`
        auto visit = [&](std::string phone, std::uint64_t seq) {
            if (auto it = found.find(phone); it != found.end()) {
                out[it->second].seq = std::max(out[it->second].seq, seq);
                return true;
            }
            if (out.size() == limit) return false;
            found.emplace(phone, out.size());
            out.push_back({std::move(phone), seq});
            return true;
        };
        // The table's rows in (after, before), newest first; false once
        // `visit` has enough or the asker has gone.
        auto read_table = [&](std::int64_t after, std::int64_t before) {
            reset_on_exit st_guard(scan_reads_->prepared(
                "SELECT phone, seq FROM messages WHERE rowid > ? AND rowid < ? AND sender <> 'bot' "
                "AND text LIKE ? ESCAPE '\\' ORDER BY rowid DESC"));
            auto& st = *st_guard;
            st.bind(1, after).bind(2, before).bind(3, pattern);
            sqlite::interrupt_when asked(scan_reads_->handle(), stop);
            try {
                while (st.step())
                    if (!visit(st.get_text(0), static_cast<std::uint64_t>(st.get_int(1)))) return false;
            } catch (...) {
                if (!asked.interrupted()) throw;
                return false;  // stopped: what was found so far
            }
            return true;
        };
        if (!read_table(indexed, INT64_MAX) || indexed == 0) return out;
        // An erased conversation's messages leave the index a moment after
        // the table: a row found there must still be the message it was.
        auto visit_indexed = [&](std::string phone, std::uint64_t seq, std::int64_t row) {
            if (message_rows_.find(phone, seq) != row) return true;
            return visit(std::move(phone), seq);
        };
        auto rest = search_index_->find(text, indexed, visit_indexed, stop);
        if (rest && *rest > 0) read_table(0, *rest);
        return out;
    }

    void catch_up_search_index() override {
        if (search_index_) search_index_->catch_up();
    }

    std::vector<message> load_messages_between(timestamp from, timestamp to, const std::optional<message_key>& after,
                                               std::size_t limit) const override {
        // The blocks of rows that can hold the range, read by rowid range in
        // row order (time_index.hpp); a page keeps the first `limit` by key.
        auto key = [](const message& m) { return std::tie(m.at, m.phone, m.seq); };
        auto by_key = [&](const message& a, const message& b) { return key(a) < key(b); };
        auto start = std::max(to_unix_ms(from), after ? to_unix_ms(after->at) : INT64_MIN);
        auto end = to_unix_ms(to);
        std::vector<message> page;  // the first `limit` found so far, by key
        if (limit == 0 || start >= end) return page;
        static const std::string sql =
            message_select + " FROM messages WHERE rowid BETWEEN ? AND ? AND at >= ? AND at < ?";
        std::lock_guard lock(scan_reads_->mutex);
        for (auto& block : message_times_.between(start, end)) {
            // Full, and all the rest sent after its last: done.
            if (page.size() == limit && block.earliest_from_here > to_unix_ms(page.back().at)) break;
            reset_on_exit st_guard(scan_reads_->prepared(sql));
            auto& st = *st_guard;
            st.bind(1, block.first_row).bind(2, block.last_row).bind(3, start).bind(4, end);
            while (st.step()) {
                auto m = read_message(st);
                if (!after || key(m) > std::tie(after->at, after->phone, after->seq)) page.push_back(std::move(m));
            }
            std::sort(page.begin(), page.end(), by_key);
            if (page.size() > limit) page.resize(limit);
        }
        return page;
    }

    std::vector<chat::chat_record> load_open_chats() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(std::string(chat_select) + " WHERE closed_at IS NULL"));
        auto& st = *st_guard;
        std::vector<chat::chat_record> out;
        while (st.step()) out.push_back(read_chat(st));
        return out;
    }

    std::vector<chat::chat_record> load_chats_of(std::string_view phone, const std::optional<chat_position>& after,
                                                 std::size_t limit) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(std::string(chat_select) +
                                        " WHERE phone = ?1 AND (opened_at, ticket_id) < (?2, ?3)"
                                        " ORDER BY opened_at DESC, ticket_id DESC LIMIT ?4"));
        auto& st = *st_guard;
        // No position: past the newest (ticket ids begin "t_", after the empty text).
        st.bind(1, phone)
            .bind(2, after ? to_unix_ms(after->opened_at) : INT64_MAX)
            .bind(3, after ? after->ticket_id : std::string())
            .bind(4, static_cast<std::int64_t>(limit));
        std::vector<chat::chat_record> out;
        while (st.step()) out.push_back(read_chat(st));
        return out;
    }

    std::optional<int> find_rating(std::string_view ticket_id) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared("SELECT score FROM ratings WHERE ticket_id = ? ORDER BY id DESC LIMIT 1"));
        auto& st = *st_guard;
        st.bind(1, ticket_id);
        if (!st.step()) return std::nullopt;
        return static_cast<int>(st.get_int(0));
    }

    void each_chat(timestamp from, timestamp to,
                   const std::function<void(const chat::chat_record&)>& f) const override {
        std::lock_guard lock(scan_reads_->mutex);
        reset_on_exit st_guard(scan_reads_->prepared(
            std::string(chat_select) +
            (read_through("SELECT min(opened_at) FROM chats", from, to)
                 ? " WHERE (+opened_at >= ?1 AND +opened_at < ?2) OR (+closed_at >= ?1 AND +closed_at < ?2)"
                 : " WHERE (opened_at >= ?1 AND opened_at < ?2) OR (closed_at >= ?1 AND closed_at < ?2)")));
        auto& st = *st_guard;
        st.bind(1, to_unix_ms(from)).bind(2, to_unix_ms(to));
        while (st.step()) f(read_chat(st));
    }

    std::vector<audit_entry> load_audit(std::uint64_t before_id, std::size_t limit) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(
            "SELECT id, at, actor, action, target, details FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?"));
        auto& st = *st_guard;
        st.bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(before_id, INT64_MAX)))
            .bind(2, static_cast<std::int64_t>(limit));
        std::vector<audit_entry> out;
        while (st.step())
            out.push_back({static_cast<std::uint64_t>(st.get_int(0)), from_unix_ms(st.get_int(1)), st.get_text(2),
                           st.get_text(3), st.get_text(4), st.get_text(5)});
        return out;
    }

    std::vector<notify::notification> load_notifications(std::string_view agent, std::uint64_t before_id,
                                                          std::size_t limit, bool unread_only) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(std::string(notification_select) + " WHERE agent = ? AND id < ?" +
                                        (unread_only ? " AND read_at IS NULL" : "") + " ORDER BY id DESC LIMIT ?"));
        auto& st = *st_guard;
        st.bind(1, agent)
            .bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(before_id, INT64_MAX)))
            .bind(3, static_cast<std::int64_t>(limit));
        std::vector<notify::notification> out;
        while (st.step()) out.push_back(read_notification(st));
        return out;
    }

    std::optional<notify::notification> find_notification(std::uint64_t id) const override {
        if (id > INT64_MAX) return std::nullopt;
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(std::string(notification_select) + " WHERE id = ?"));
        auto& st = *st_guard;
        st.bind(1, static_cast<std::int64_t>(id));
        if (!st.step()) return std::nullopt;
        return read_notification(st);
    }

    std::size_t count_unread_notifications(std::string_view agent) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared("SELECT count(*) FROM notifications WHERE agent = ? AND read_at IS NULL"));
        auto& st = *st_guard;
        st.bind(1, agent);
        st.step();
        return static_cast<std::size_t>(st.get_int(0));
    }

    std::uint64_t last_notification_id() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared("SELECT coalesce(max(id), 0) FROM notifications"));
        auto& st = *st_guard;
        st.step();
        return static_cast<std::uint64_t>(st.get_int(0));
    }

    std::vector<canned_response> load_canned_responses() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(
            prepared("SELECT shortcut, text, updated_by, updated_at FROM canned_responses ORDER BY shortcut"));
        auto& st = *st_guard;
        std::vector<canned_response> out;
        while (st.step()) out.push_back({st.get_text(0), st.get_text(1), st.get_text(2), from_unix_ms(st.get_int(3))});
        return out;
    }

    std::optional<std::string> find_setting(std::string_view key) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared("SELECT value FROM settings WHERE key = ?"));
        auto& st = *st_guard;
        st.bind(1, key);
        if (!st.step()) return std::nullopt;
        return st.get_text(0);
    }

    std::vector<agent_record> load_agents() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(
            "SELECT username, display_name, role, password_hash, available, max_chats, created_at, active, signature, email, "
            "totp_secret, totp_last_step, recovery_codes FROM agents "
            "ORDER BY username"));
        auto& st = *st_guard;
        std::vector<agent_record> out;
        while (st.step()) out.push_back(read_agent(st));
        return out;
    }

    std::optional<agent_record> find_agent(std::string_view username) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared(
            "SELECT username, display_name, role, password_hash, available, max_chats, created_at, active, signature, email, "
            "totp_secret, totp_last_step, recovery_codes FROM agents "
            "WHERE username = ?"));
        auto& st = *st_guard;
        st.bind(1, username);
        if (!st.step()) return std::nullopt;
        return read_agent(st);
    }

    std::vector<session_record> load_sessions(timestamp now) const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(
            prepared("SELECT token_hash, username, created_at, expires_at, name FROM sessions WHERE expires_at > ?"));
        auto& st = *st_guard;
        st.bind(1, to_unix_ms(now));
        std::vector<session_record> out;
        while (st.step())
            out.push_back({st.get_text(0), st.get_text(1), from_unix_ms(st.get_int(2)), from_unix_ms(st.get_int(3)),
                           st.get_text(4)});
        return out;
    }

    std::vector<event_record> load_events(std::uint64_t after, std::size_t limit) const override {
        // The log has no gaps but its pruned start, so these are the seqs
        // from there on, up to `limit` of them; a block may hold some of
        // them, and a later block may rewrite one.
        // The erasures to hide are taken before the blocks are read: one
        // whose sweep ended in between would leave blocks read before it
        // unhidden.
        auto erasing = event_log_erasures_->reading();
        std::optional<event_window> window;
        {
            std::lock_guard lock(quick_reads_->mutex);
            {
                reset_on_exit first(prepared("SELECT coalesce(min(first_seq), 1) FROM event_blocks"));
                (*first).step();
                after = std::max<std::uint64_t>(after, static_cast<std::uint64_t>((*first).get_int(0)) - 1);
            }
            auto upto = after + std::min<std::uint64_t>(limit, INT64_MAX - std::min<std::uint64_t>(after, INT64_MAX));
            reset_on_exit st_guard(prepared(
                "SELECT first_seq, first_at, body FROM event_blocks INDEXED BY event_blocks_by_last_seq "
                "WHERE last_seq > ?1 AND first_seq <= ?2 ORDER BY id"));
            auto& st = *st_guard;
            st.bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(after, INT64_MAX)))
                .bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(upto, INT64_MAX)));
            window.emplace(after, upto);
            while (st.step()) {
                if (st.is_text(2))  // a block of one, from before v9
                    window->add(static_cast<std::uint64_t>(st.get_int(0)), st.get_int(1), st.get_text(2));
                else
                    window->add_block(st.get_bytes(2));
            }
        }
        auto events = window->take(limit);
        if (erasing) hide_erased(events, *erasing);
        return events;
    }

    std::pair<std::uint64_t, std::uint64_t> event_bounds() const override {
        std::lock_guard lock(quick_reads_->mutex);
        reset_on_exit st_guard(prepared("SELECT coalesce((SELECT min(first_seq) FROM event_blocks), 0), "
                                        "coalesce((SELECT max(last_seq) FROM event_blocks), 0)"));
        auto& st = *st_guard;
        st.step();
        return {static_cast<std::uint64_t>(st.get_int(0)), static_cast<std::uint64_t>(st.get_int(1))};
    }

    // Under a flood of CPU the index's filing, at the lowest priority,
    // waited a second and more for a slice in which to see the stop: that
    // wait now runs beside the requests' (up to 4 s), not after it.
    void stopping() override {
        if (search_index_) search_index_->request_close();
    }

    void close() override {
        {
            std::lock_guard lock(mutex_);
            if (closing_) return;
            closing_ = true;  // the writer finishes what is queued, then stops
            wake_.notify_one();
        }
        if (search_index_) search_index_->close();
        if (writer_.joinable()) writer_.join();
        if (checkpointer_) checkpointer_->close();
    }

private:
    // --data-max-mb counts the search index too. The index may take a fifth
    // of it (it takes about an eighth of what the database does), and the
    // database what the index has not: each write group is held to that, so
    // the two files stay within the limit and the messages never wait for
    // room the index took.
    static constexpr std::uint64_t index_share_divisor = 5;
    std::uint64_t limit_bytes() const { return options_.max_size_mb * 1024 * 1024; }

    // On the writer's thread (or before it starts).
    void fit_size_limit() {
        if (!options_.max_size_mb) return;
        auto room = limit_bytes() - std::min(limit_bytes(), search_index_ ? search_index_->bytes() : 0);
        auto pages = std::max<std::uint64_t>(1, room / page_size_);
        if (pages == limit_pages_) return;
        // SQLite keeps it at the pages the file has, at least.
        writer_db_.exec("PRAGMA max_page_count = " + std::to_string(pages));
        limit_pages_ = pages;
    }

    // Without an index, searches read the whole table, as they always can.
    void open_search_index(const std::string& path) {
        auto file = search_index_file_in(std::filesystem::path(path).parent_path().string());
        try {
            search_index_ = std::make_unique<search_index>(file, path, current_schema_version(),
                                                           limit_bytes() / index_share_divisor);
            search_index_->start();
        } catch (const std::exception& e) {
            log::warn("no search index: searches read every message", {{"path", file}, {"error", e.what()}});
        }
    }

    // A read-only connection, its statements (prepared once, reset after each
    // use), and the lock that gives it to one caller at a time.
    class read_connection {
    public:
        explicit read_connection(const std::string& path) : db_(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX) {}
        std::mutex mutex;
        // The caller holds `mutex`.
        sqlite3* handle() const { return db_.handle(); }
        sqlite::statement& prepared(const std::string& sql) {
            auto it = statements_.find(sql);
            if (it == statements_.end()) it = statements_.emplace(sql, db_.prepare(sql)).first;
            return it->second;
        }

    private:
        sqlite::connection db_;
        std::unordered_map<std::string, sqlite::statement> statements_;
    };
    // Whether a period's rows are better read by going through the whole
    // table than by its index on time: each row the index finds is a seek
    // of its own. A year of a year's million chats took 8 s by the index
    // and 1.3 s straight through; a week of it 0.13 and 0.15 s. Through,
    // when the period covers more than an eighth of the table's time from
    // its oldest row (`oldest_sql`, one index probe) to now. On the scan
    // connection, its lock held.
    bool read_through(const char* oldest_sql, timestamp from, timestamp to) const {
        reset_on_exit st_guard(scan_reads_->prepared(oldest_sql));
        auto& st = *st_guard;
        if (!st.step() || st.is_null(0)) return false;  // empty: either will do
        auto oldest = st.get_int(0);
        auto end = std::max(to_unix_ms(std::chrono::system_clock::now()), to_unix_ms(to));
        auto covered = to_unix_ms(to) - std::max(to_unix_ms(from), oldest);
        return end > oldest && covered * 8 > end - oldest;
    }

    class reset_on_exit {
    public:
        explicit reset_on_exit(sqlite::statement& st) : st_(st) {}
        ~reset_on_exit() { st_.reset(); }
        sqlite::statement& operator*() const { return st_; }

    private:
        sqlite::statement& st_;
    };
    // A point read's statement; the caller holds quick_reads_->mutex.
    sqlite::statement& prepared(const std::string& sql) const { return quick_reads_->prepared(sql); }

    // The message in `row`, which the index says is `phone`'s at `seq`;
    // none when it is not (any more): its conversation was erased a moment
    // ago, and SQLite may have given its last row to another message. The
    // caller holds quick_reads_->mutex.
    std::optional<message> message_at(std::int64_t row, std::string_view phone, std::uint64_t seq) const {
        static const std::string sql = message_select + " FROM messages WHERE rowid = ?";
        reset_on_exit st_guard(prepared(sql));  // once per message read: the text is built once
        auto& st = *st_guard;
        st.bind(1, row);
        if (!st.step()) return std::nullopt;
        auto m = read_message(st);
        if (m.phone != phone || m.seq != seq) return std::nullopt;
        return m;
    }

    // The users the list of erasures names whose conversations the database
    // holds from before they were erased: a backup put back (it is a copy
    // of the database alone) brought them back. Erased again, as then, and
    // audited; before the writer starts, so before anything else is read.
    // A conversation begun at the erasure or after is the user's new one.
    void erase_again() {
        auto created = writer_db_.prepare("SELECT created_at FROM conversations WHERE phone = ?");
        // Every event the log holds is from before the backup was taken.
        auto [_, last_event] = event_bounds();
        for (auto& e : erasures_.read()) {
            created.bind(1, e.phone);
            bool held = created.step() && created.get_int(0) < to_unix_ms(e.at);
            created.reset();
            if (!held) continue;
            auto messages = std::to_string(message_rows_.rows_of(e.phone).size());
            auto details = R"({"messages":)" + messages + R"(,"deleted_at":")" + to_iso8601(e.at) + "\"}";
            auto p = std::make_unique<pending_write>();
            p->batch.audit_put.push_back(
                {0, std::chrono::system_clock::now(), e.by, "conversation.deleted_again", e.phone, std::move(details)});
            p->batch.erase_conversation = e;
            p->erase_job = sweep_job{.erased = {e.phone, last_event}};
            event_log_erasures_->asked(p->erase_job->erased);
            std::vector<std::unique_ptr<pending_write>> one;
            one.push_back(std::move(p));
            if (!commit(one, false)) std::rethrow_exception(failure_);
            index_committed(*one[0]);
            log::warn("a user erased before was back in the database (a backup put back): erased again",
                      {{"phone", e.phone}, {"deleted_at", to_iso8601(e.at)}, {"messages", messages}});
        }
    }

    // Groups of writes as they come, and a part of the event log's
    // erasures after each (or while none comes): a write waits for one part
    // at most. What is left of them at a stop is done after the next start.
    void write_loop() {
        for (;;) {
            std::vector<std::unique_ptr<pending_write>> group;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return closing_ || !queue_.empty() || event_log_erasures_->busy(); });
                if (closing_ && queue_.empty()) return;  // nothing left
                while (!queue_.empty() && group.size() < options_.group_commit_max) {
                    group.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            if (!group.empty()) write_group(group);
            event_log_erasures_->erase_a_part();
        }
    }

    void write_group(std::vector<std::unique_ptr<pending_write>>& group) {
        if (commit(group)) {
            for (auto& p : group) answer_committed(std::move(p));
        } else if (group.size() == 1) {
            complete(std::move(group[0]), failure_);
        } else {
            // One bad batch must not fail the others: isolate it.
            for (auto& p : group) {
                std::vector<std::unique_ptr<pending_write>> one;
                one.push_back(std::move(p));
                if (commit(one))
                    answer_committed(std::move(one[0]));
                else
                    complete(std::move(one[0]), failure_);
            }
        }
    }

    // Answers a committed write on its caller's thread, once its dedupe keys
    // and messages are in the indexes: a retry after the answer finds its
    // key, and a read its messages. Done there, the indexing is off the
    // writer's time, which every write queued behind the group waits out.
    // The writer itself looks a message up only for a later step of the same
    // conversation, which its actor takes after this answer.
    void answer_committed(std::unique_ptr<pending_write> p) {
        auto ex = net::get_associated_executor(p->done, net::system_executor());
        ex.execute([this, p = std::move(p)]() mutable {
            index_committed(*p);
            std::move(p->done)(nullptr);
        });
    }

    void index_committed(const pending_write& p) {
        if (p.batch.erase_conversation) {
            message_rows_.forget(p.batch.erase_conversation->phone);
            if (search_index_) search_index_->forget(p.erased_rows, p.rows_left);
        }
        for (std::size_t i = 0; i < p.batch.dedupe.size(); ++i) {
            auto& where = p.dedupe_rows[i];
            (where.in_messages ? message_dedupe_keys_ : table_dedupe_keys_).add(p.batch.dedupe[i].key, where.row);
        }
        for (auto& m : p.message_rows) {
            if (m.inserted) message_rows_.add(m.phone, m.seq, m.row, m.from_user);
            message_times_.add(m.at_ms, m.row);
        }
        // No rowid was given again: every row past them stays.
        if (search_index_ && !p.left_rows.empty()) search_index_->forget(p.left_rows, INT64_MAX);
    }

    // All of `group` in one transaction. On failure nothing of it is written
    // and `failure_` says why; the completions are left to the caller.
    // `list_erasures`: an erasure is listed beside the database before it
    // commits, or not done (erase_again's are listed already).
    bool commit(std::vector<std::unique_ptr<pending_write>>& group, bool list_erasures = true) {
        try {
            fit_size_limit();
            sqlite::transaction tx(writer_db_);
            tables_->begin();
            for (auto& p : group) tables_->apply(*p);
            if (list_erasures)
                for (auto& p : group)
                    if (auto& e = p->batch.erase_conversation) {
                        auto listed = *e;
                        if (listed.at == timestamp{}) listed.at = std::chrono::system_clock::now();
                        erasures_.append(listed);
                    }
            tx.commit();
            for (auto& p : group)
                if (p->erase_job) event_log_erasures_->started(*p->erase_job);
            write_failures_.stopped();
            return true;
        } catch (const std::exception& e) {
            tables_->reset_all();
            write_failures_.occurred({{"error", e.what()}, {"batches", std::to_string(group.size())}});
            failure_ = std::make_exception_ptr(unavailable(e.what()));
        }
        return false;
    }

    std::optional<directory_lock> lock_;  // first in, last out: held until the database is closed
    sqlite_options options_;
    sqlite::connection writer_db_;
    erasure_list erasures_;
    // Point reads, shared by the io threads; and scans (search, reports,
    // exports), which take seconds on a large history and must not hold up
    // a point read (a status webhook's, a conversation opened) meanwhile.
    std::unique_ptr<read_connection> quick_reads_, scan_reads_;
    std::unique_ptr<writer_tables> tables_;
    std::unique_ptr<checkpointer> checkpointer_;
    std::unique_ptr<event_log_erasures> event_log_erasures_;  // the writer's

    std::mutex mutex_;  // guards the queue between actors and the writer thread
    std::condition_variable wake_;
    std::deque<std::unique_ptr<pending_write>> queue_;
    bool closing_ = false;
    std::exception_ptr failure_;
    log::repeated_problem write_failures_{log::level::error, "store write failed", "store writes succeed again"};
    // Where every stored dedupe key is: in its message's row (schema v12),
    // or in the dedupe table.
    key_index message_dedupe_keys_;
    key_index table_dedupe_keys_;
    message_index message_rows_;  // where every stored message is
    message_time_blocks message_times_;  // and when, by blocks of rows
    std::unique_ptr<search_index> search_index_;
    std::uint64_t page_size_ = 4096;   // the database's, read when there is a size limit
    std::uint64_t limit_pages_ = 0;    // max_page_count as last set; 0: never set
    std::thread writer_;
};

}  // namespace

int schema_version() { return current_schema_version(); }

std::string sqlite_file_in(const std::string& dir) { return (std::filesystem::path(dir) / "switchboard.db").string(); }

std::unique_ptr<store> open_sqlite_store(const std::string& dir, sqlite_options options) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create data directory " + dir + ": " + ec.message());
    std::optional<directory_lock> lock;
    if (options.lock_directory) lock.emplace(dir);
    auto path = sqlite_file_in(dir);
    try {
        return std::make_unique<sqlite_store>(path, options, std::move(lock));
    } catch (const sqlite::error& e) {
        throw std::runtime_error("cannot use the database " + path + ": " + e.what());
    }
}

}  // namespace switchboard::store
