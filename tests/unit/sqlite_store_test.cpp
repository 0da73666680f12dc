// The SQLite store: every field survives a reopen, batches are atomic,
// start-up refuses what it cannot use.
#include "switchboard/chat/bot.hpp"
#include "switchboard/events/event.hpp"
#include "switchboard/store/store.hpp"

#include "sqlite_probe.hpp"
#include "store_write.hpp"
#include "temp_dir.hpp"
#include "../../src/store/checkpointer.hpp"
#include "../../src/store/erasure_list.hpp"
#include "../../src/store/erasure_sweep.hpp"
#include "../../src/store/key_index.hpp"
#include "../../src/store/memory_dedupe.hpp"
#include "../../src/store/memory_event_log.hpp"
#include "../../src/store/sqlite.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <array>
#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <thread>

using namespace switchboard;
namespace net = boost::asio;

namespace {

// A SQLite store in `dir` and a memory store, for checks both must pass.
std::vector<std::unique_ptr<store::store>> both_stores(const test::temp_dir& dir) {
    std::vector<std::unique_ptr<store::store>> stores;
    stores.push_back(store::open_sqlite_store(dir.path().string()));
    stores.push_back(store::make_memory_store());
    return stores;
}

std::vector<store::rating> ratings_in(const store::store& s, timestamp from, timestamp to) {
    std::vector<store::rating> out;
    s.each_rating(from, to, [&](const store::rating& r) { out.push_back(r); });
    return out;
}

using test::erase_events;
using test::rewrite_events;
using test::write;

// An event as the hub keeps it: its envelope, numbered.
store::event_record kept_event(std::uint64_t seq, std::int64_t at_ms, std::string_view type, std::string_view phone,
                               std::string_view data) {
    std::string text;
    events::begin_envelope(text, type, phone);
    text += data;
    events::end_envelope(text, from_unix_ms(at_ms));
    events::number_envelope(text, seq);
    return store::event_record{seq, from_unix_ms(at_ms), std::make_shared<const std::string>(std::move(text)),
                               events::conversation_key(phone)};
}

std::vector<std::string> texts_of(const std::vector<store::event_record>& events) {
    std::vector<std::string> texts;
    for (auto& e : events) texts.push_back(*e.json);
    return texts;
}

// Every message of [from_ms, to_ms) as an export reads it, `limit` a page,
// each as "at phone/seq".
std::vector<std::string> export_pages(const store::store& db, std::int64_t from_ms, std::int64_t to_ms,
                                      std::size_t limit) {
    std::vector<std::string> seen;
    std::optional<store::store::message_key> after;
    for (;;) {
        auto page = db.load_messages_between(from_unix_ms(from_ms), from_unix_ms(to_ms), after, limit);
        for (auto& m : page) seen.push_back(std::to_string(to_unix_ms(m.at)) + " " + m.phone + "/" + std::to_string(m.seq));
        if (page.size() < limit) return seen;
        after = store::store::message_key{page.back().at, page.back().phone, page.back().seq};
    }
}

chat::conversation full_conversation() {
    chat::conversation c;
    c.phone = "15550001";
    c.name = "Zoë O'Brien";
    c.registered = true;
    c.state = chat::conv_state::chat_support_active;
    c.in_chat_support = c.chat_support_active = true;
    c.chat_start_time = from_unix_ms(1763900000123);
    c.support_ticket_id = "t_abc";
    c.assignee = "alice";
    c.queued_at = from_unix_ms(1763900000200);
    c.rated_ticket_id = "t_old";
    c.rated_agent = "bob";
    c.via = chat::channel::whatsapp;
    c.wa_phone_number_id = "106540352242922";
    c.last_seq = 42;
    c.read_seq = 40;
    c.unread = 2;
    c.undelivered = 3;
    c.last_message = "last 💬";
    c.last_message_kind = "image";
    c.labels = {"billing", "vip-customer"};
    c.participants = {"lea", "max.b"};
    c.blocked = true;
    c.priority = chat::conv_priority::high;
    c.team = "billing";
    c.attributes = {{"email", "ana@example.com"}, {"plan", "gold 💬 \"annual\""}};
    c.snoozed_until = from_unix_ms(1764000000500);
    c.last_sender = chat::sender::admin;
    c.last_message_seq = 41;  // the bot's reply at 42 left the preview
    c.created_at = from_unix_ms(1763800000000);
    c.updated_at = from_unix_ms(1763900000300);
    c.last_activity = from_unix_ms(1763900000400);
    return c;
}

chat::message full_message(std::uint64_t seq) {
    chat::message m;
    m.id = "msg_" + std::to_string(seq);
    m.phone = "15550001";
    m.seq = seq;
    m.from = chat::sender::admin;
    m.agent = "alice";
    m.text = "hello <b>\"there\"</b> 💬";
    m.kind = "image";
    m.at = from_unix_ms(1763900000500 + static_cast<std::int64_t>(seq));
    m.status = chat::message_status::delivered;
    m.channel_id = "wamid." + std::to_string(seq);
    m.client_id = "c-" + std::to_string(seq);
    return m;
}

// Four of 15550001's messages, the next after `seq`, in one batch: a page
// of rows, for the WAL's tests.
void write_a_page_of_messages(store::store& db, std::uint64_t& seq) {
    store::write_batch b;
    for (int k = 0; k < 4; ++k) {
        auto m = full_message(++seq);
        m.text.append(600, 'x');
        b.messages.push_back(m);
    }
    write(db, b);
}

// A message larger than a store opened with `max_size_mb = 1` can hold: the
// batch that carries it fails (SQLITE_FULL), and only that batch.
chat::message too_big_message(std::uint64_t seq) {
    auto m = full_message(seq);
    m.id = "msg_big_" + std::to_string(seq);
    m.text = std::string(2 * 1024 * 1024, 'x');
    return m;
}

store::sqlite_options one_megabyte() {
    store::sqlite_options o;
    o.max_size_mb = 1;
    return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sqlite_store)

BOOST_AUTO_TEST_CASE(every_field_survives_a_reopen) {
    test::temp_dir dir;
    auto c = full_conversation();
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        b.conversation = c;
        for (std::uint64_t seq = 1; seq <= 3; ++seq) b.messages.push_back(full_message(seq));
        b.messages[1].status = chat::message_status::failed;  // and why, in a table of its own
        b.messages[1].error = "(#131047) Re-engagement message: \"24 hours\" 💬";
        b.messages[2].reply_to = 1;
        b.outbox_put.push_back({"msg_3", c.phone, 3, chat::channel::whatsapp, "106540352242922", "hi", 2,
                                from_unix_ms(1763900000600), "document", "media-out-1", "Rechnung März.pdf",
                                "wamid.in-1"});
        b.outbox_put.push_back({"msg_9", c.phone, 9, chat::channel::plain, "", "gone", 0, from_unix_ms(1)});
        b.dedupe.push_back({"plain:m-1", R"({"replies":[],"state":"IDLE"})"});
        b.ratings.push_back({c.phone, "t_old", "bob", 4, from_unix_ms(1763900000700)});
        write(*db, b);
        store::write_batch remove;
        remove.outbox_remove.push_back("msg_9");
        write(*db, remove);
    }
    auto db = store::open_sqlite_store(dir.path().string());
    auto convs = db->load_conversations();
    BOOST_REQUIRE(convs.size() == 1u);
    auto& r = convs[0];
    BOOST_TEST(r.phone == c.phone);
    BOOST_TEST(r.name == c.name);
    BOOST_TEST(r.registered);
    BOOST_TEST((r.state == c.state));
    BOOST_TEST(r.in_chat_support);
    BOOST_TEST(r.chat_support_active);
    BOOST_TEST((r.chat_start_time == c.chat_start_time));
    BOOST_TEST(r.support_ticket_id == c.support_ticket_id);
    BOOST_TEST(r.assignee == c.assignee);
    BOOST_TEST((r.queued_at == c.queued_at));
    BOOST_TEST(r.rated_ticket_id == c.rated_ticket_id);
    BOOST_TEST(r.rated_agent == c.rated_agent);
    BOOST_TEST((r.via == c.via));
    BOOST_TEST(r.wa_phone_number_id == c.wa_phone_number_id);
    BOOST_TEST(r.last_seq == c.last_seq);
    BOOST_TEST(r.read_seq == c.read_seq);
    BOOST_TEST(r.unread == c.unread);
    BOOST_TEST(r.undelivered == c.undelivered);
    BOOST_TEST(r.last_message == c.last_message);
    BOOST_TEST((r.last_sender == c.last_sender));
    BOOST_TEST(r.last_message_kind == "image");
    BOOST_TEST(r.labels == (std::vector<std::string>{"billing", "vip-customer"}));
    BOOST_TEST(r.participants == (std::vector<std::string>{"lea", "max.b"}));
    BOOST_TEST(r.blocked);
    BOOST_TEST((r.priority == chat::conv_priority::high));
    BOOST_TEST(r.team == "billing");
    BOOST_TEST((r.attributes == c.attributes));
    BOOST_TEST((r.snoozed_until == c.snoozed_until));
    BOOST_TEST(r.last_message_seq == c.last_message_seq);
    BOOST_TEST((r.created_at == c.created_at));
    BOOST_TEST((r.updated_at == c.updated_at));
    BOOST_TEST((r.last_activity == c.last_activity));

    auto messages = db->load_messages(c.phone, UINT64_MAX, 50);
    BOOST_REQUIRE(messages.size() == 3u);
    auto want = full_message(2);
    want.status = chat::message_status::failed;
    want.error = "(#131047) Re-engagement message: \"24 hours\" 💬";
    auto& got = messages[1];
    BOOST_TEST(messages[0].error.empty());
    BOOST_TEST(got.id == want.id);
    BOOST_TEST(got.seq == want.seq);
    BOOST_TEST((got.from == want.from));
    BOOST_TEST(got.agent == want.agent);
    BOOST_TEST(got.text == want.text);
    BOOST_TEST(got.kind == want.kind);
    BOOST_TEST((got.at == want.at));
    BOOST_TEST((got.status == want.status));
    BOOST_TEST(got.channel_id == want.channel_id);
    BOOST_TEST(got.client_id == want.client_id);
    BOOST_TEST(got.error == want.error);
    BOOST_TEST(got.reply_to == 0u);
    BOOST_TEST(messages[2].reply_to == 1u);
    BOOST_TEST(db->find_message_by_channel_id(c.phone, "wamid.3")->seq == 3u);
    BOOST_TEST(db->find_message(c.phone, 1)->id == "msg_1");
    BOOST_TEST(!db->find_message(c.phone, 7));

    auto outbox = db->load_outbox();
    BOOST_REQUIRE(outbox.size() == 1u);
    BOOST_TEST(outbox[0].message_id == "msg_3");
    BOOST_TEST(outbox[0].attempts == 2u);
    BOOST_TEST(outbox[0].wa_phone_number_id == "106540352242922");
    BOOST_TEST((outbox[0].via == chat::channel::whatsapp));
    BOOST_TEST(outbox[0].kind == "document");  // an agent's file: its media id, caption and name
    BOOST_TEST(outbox[0].ref == "media-out-1");
    BOOST_TEST(outbox[0].text == "hi");
    BOOST_TEST(outbox[0].filename == "Rechnung März.pdf");
    BOOST_TEST(outbox[0].context == "wamid.in-1");
    BOOST_TEST(*db->find_dedupe("plain:m-1") == R"({"replies":[],"state":"IDLE"})");
    BOOST_TEST(!db->find_dedupe("plain:m-2"));
    // By the time it was given: a report's period, from inclusive, to exclusive.
    auto ratings = ratings_in(*db, from_unix_ms(1763900000700), from_unix_ms(1763900000701));
    BOOST_REQUIRE(ratings.size() == 1u);
    BOOST_TEST(ratings[0].score == 4);
    BOOST_TEST(ratings[0].agent == "bob");
    BOOST_TEST(ratings_in(*db, from_unix_ms(1763900000701), from_unix_ms(1763900009999)).empty());
    BOOST_TEST(ratings_in(*db, from_unix_ms(1763900000000), from_unix_ms(1763900000700)).empty());
}

// The dedupe table has no index: the store finds keys by their hash. Keys
// that share one must still be told apart, by the row's key or by a scan.
BOOST_AUTO_TEST_CASE(dedupe_keys_that_share_a_hash_are_told_apart) {
    store::key_index index([](std::string_view key) -> std::uint64_t { return key.size(); });
    BOOST_TEST(index.find("ab") == store::key_index::absent);
    index.add("ab", 7);
    BOOST_TEST(index.find("ab") == 7);
    BOOST_TEST(index.find("cd") == 7);  // same hash: the caller compares the row's key
    BOOST_TEST(index.find("abc") == store::key_index::absent);
    index.add("ab", 7);  // the same row again changes nothing
    BOOST_TEST(index.find("ab") == 7);
    index.add("cd", 9);
    BOOST_TEST(index.find("ab") == store::key_index::ambiguous);
    BOOST_TEST(index.find("cd") == store::key_index::ambiguous);

    // Through the store, across a reopen: many keys, each with its own answer.
    test::temp_dir dir;
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        for (int i = 0; i < 500; ++i) b.dedupe.push_back({"plain:k-" + std::to_string(i), "answer " + std::to_string(i)});
        write(*db, b);
        BOOST_TEST(db->find_dedupe("plain:k-499").value_or("") == "answer 499");
    }
    auto db = store::open_sqlite_store(dir.path().string());
    for (int i = 0; i < 500; ++i)
        BOOST_TEST(db->find_dedupe("plain:k-" + std::to_string(i)).value_or("") == "answer " + std::to_string(i));
    BOOST_TEST(!db->find_dedupe("plain:k-500"));
}

// The in-memory store keeps a key as its hash and its bytes: keys that
// share a hash must each keep their own answer, a key never put must not
// borrow the answer of one that shares its hash, and an erased key must
// not take the others of its hash with it.
BOOST_AUTO_TEST_CASE(memory_dedupe_keys_that_share_a_hash_are_told_apart) {
    store::memory_dedupe dedupe([](std::string_view key) -> std::uint64_t { return key.size(); });
    BOOST_TEST(!dedupe.find("ab"));
    dedupe.put("ab", "answer ab");
    BOOST_TEST(dedupe.find("ab").value_or("") == "answer ab");
    BOOST_TEST(!dedupe.find("cd"));  // same hash, never put
    BOOST_TEST(!dedupe.find("abc"));
    dedupe.put("cd", "answer cd");
    dedupe.put("ef", "answer ab");  // an answer seen before, for a third key of that hash
    BOOST_TEST(dedupe.find("ab").value_or("") == "answer ab");
    BOOST_TEST(dedupe.find("cd").value_or("") == "answer cd");
    BOOST_TEST(dedupe.find("ef").value_or("") == "answer ab");
    BOOST_TEST(!dedupe.find("gh"));
    dedupe.put("cd", "answer cd, again");  // a key put twice keeps the later answer
    dedupe.put("ab", "answer ab, again");
    BOOST_TEST(dedupe.find("cd").value_or("") == "answer cd, again");
    BOOST_TEST(dedupe.find("ab").value_or("") == "answer ab, again");
    // Erased (a user's): the slot's key, whose place another of its hash takes; then one aside.
    dedupe.erase("ab");
    BOOST_TEST(!dedupe.find("ab"));
    BOOST_TEST(dedupe.find("cd").value_or("") == "answer cd, again");
    BOOST_TEST(dedupe.find("ef").value_or("") == "answer ab");
    dedupe.erase("ef");
    BOOST_TEST(!dedupe.find("ef"));
    BOOST_TEST(dedupe.find("cd").value_or("") == "answer cd, again");
    dedupe.erase("zz");  // never put: nothing changes
    BOOST_TEST(dedupe.find("cd").value_or("") == "answer cd, again");

    // Through the store: many keys, their answers repeating.
    auto db = store::make_memory_store();
    store::write_batch b;
    for (int i = 0; i < 20000; ++i)
        b.dedupe.push_back({"plain:k-" + std::to_string(i), "answer " + std::to_string(i % 7)});
    write(*db, b);
    for (int i = 0; i < 20000; ++i)
        BOOST_TEST_REQUIRE(db->find_dedupe("plain:k-" + std::to_string(i)).value_or("") == "answer " + std::to_string(i % 7));
    BOOST_TEST(!db->find_dedupe("plain:k-20000"));
}

// A message sent, then failed: the rewrite carries why, and every read
// gives it back (schema v17; the memory store's seventh packed string).
BOOST_AUTO_TEST_CASE(a_failed_message_keeps_its_reason_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        auto m = full_message(1);
        m.error.clear();
        m.status = chat::message_status::sent;
        store::write_batch sent;
        sent.messages = {m};
        write(*db, sent);
        BOOST_TEST(db->find_message(m.phone, 1)->error.empty());
        m.status = chat::message_status::failed;
        m.error = "HTTP 400: (#131026) Message undeliverable";
        store::write_batch failed;
        failed.messages = {m};
        write(*db, failed);
        BOOST_TEST(db->find_message(m.phone, 1)->error == m.error);
        BOOST_TEST(db->load_messages(m.phone, UINT64_MAX, 10).at(0).error == m.error);
        BOOST_TEST(db->find_message_by_channel_id(m.phone, m.channel_id)->error == m.error);
    }
    stores.clear();
    auto reopened = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(reopened->find_message("15550001", 1)->error == "HTTP 400: (#131026) Message undeliverable");
}

// Schema v39: each agent's notifications, newest first, their newest
// notifications_kept and no more; read or not, and read again.
BOOST_AUTO_TEST_CASE(notifications_are_kept_per_agent_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    auto made = [](std::uint64_t id, std::string agent) {
        notify::notification n;
        n.id = id;
        n.agent = std::move(agent);
        n.type = id % 2 ? "mention" : "assigned";
        n.conversation = "1555" + std::to_string(id);
        n.name = "Ann";
        n.actor = id % 3 ? "carol" : "";
        n.seq = id % 2 ? id : 0;
        n.text = id % 2 ? "@bob look" : "";
        n.target = id % 2 ? "" : "next_reply";
        n.created_at = from_unix_ms(1'764'000'000'000 + static_cast<std::int64_t>(id));
        return n;
    };
    constexpr std::uint64_t made_for_bob = notify::notifications_kept + 3;
    for (auto& db : stores) {
        BOOST_TEST(db->last_notification_id() == 0u);
        store::write_batch b;
        for (std::uint64_t id = 1; id <= made_for_bob; ++id) b.notifications_put.push_back(made(id, "bob"));
        b.notifications_put.push_back(made(made_for_bob + 1, "carol"));
        write(*db, b);
        BOOST_TEST(db->last_notification_id() == made_for_bob + 1);
        BOOST_TEST(db->count_unread_notifications("bob") == notify::notifications_kept);
        BOOST_TEST(db->count_unread_notifications("carol") == 1u);
        BOOST_TEST(!db->find_notification(3));  // the oldest three went
        auto page = db->load_notifications("bob", UINT64_MAX, 2, false);
        BOOST_REQUIRE(page.size() == 2u);
        BOOST_TEST(page[0].id == made_for_bob);
        BOOST_TEST(page[1].id == made_for_bob - 1);
        auto kept = db->find_notification(made_for_bob);
        BOOST_REQUIRE(kept);
        auto want = made(made_for_bob, "bob");
        BOOST_TEST(kept->type == want.type);
        BOOST_TEST(kept->conversation == want.conversation);
        BOOST_TEST(kept->name == "Ann");
        BOOST_TEST(kept->actor == want.actor);
        BOOST_TEST(kept->seq == want.seq);
        BOOST_TEST(kept->text == want.text);
        BOOST_TEST(kept->target == want.target);
        BOOST_TEST((kept->created_at == want.created_at));
        BOOST_TEST(!kept->read_at);

        kept->read_at = from_unix_ms(1'764'000'100'000);
        store::write_batch read;
        read.notifications_put.push_back(*kept);
        write(*db, read);
        BOOST_TEST((db->find_notification(made_for_bob)->read_at == kept->read_at));
        BOOST_TEST(db->count_unread_notifications("bob") == notify::notifications_kept - 1);
        auto unread = db->load_notifications("bob", UINT64_MAX, 1, true);
        BOOST_TEST(unread.at(0).id == made_for_bob - 1);
        BOOST_TEST(db->load_notifications("bob", 5, 10, false).size() == 1u);  // only 4 is older than 5
        BOOST_TEST(db->load_notifications("dave", UINT64_MAX, 10, false).empty());
    }
    stores.clear();
    auto reopened = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(reopened->last_notification_id() == made_for_bob + 1);
    BOOST_TEST(reopened->find_notification(made_for_bob)->read_at.has_value());
}

// Schema v12: a webhook's key and answer go in its message's row; an answer
// with no new message of its batch still goes to the dedupe table.
BOOST_AUTO_TEST_CASE(a_webhooks_answer_is_kept_in_its_messages_row) {
    test::temp_dir dir;
    auto file = dir.path() / "switchboard.db";
    auto inbound = full_message(1);
    inbound.from = chat::sender::user;
    inbound.channel_id = "m-1";
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        b.messages = {inbound, full_message(2)};
        b.dedupe.push_back({"plain:m-1", R"({"replies":[{"text":"hi"}],"state":"IDLE"})", 1});
        b.dedupe.push_back({"plain:alone", "no message of its own", 0});
        write(*db, b);
        BOOST_TEST(db->find_dedupe("plain:m-1").value_or("") == R"({"replies":[{"text":"hi"}],"state":"IDLE"})");
        // Rewriting the message (its status moved on) keeps its answer.
        inbound.status = chat::message_status::read;
        store::write_batch later;
        later.messages = {inbound};
        later.dedupe.push_back({"plain:m-1-again", "a rewritten row takes no key", 1});
        write(*db, later);
        BOOST_TEST(db->find_dedupe("plain:m-1").value_or("") == R"({"replies":[{"text":"hi"}],"state":"IDLE"})");
    }
    auto db = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(db->find_dedupe("plain:m-1").value_or("") == R"({"replies":[{"text":"hi"}],"state":"IDLE"})");
    BOOST_TEST(db->find_dedupe("plain:alone").value_or("") == "no message of its own");
    BOOST_TEST(db->find_dedupe("plain:m-1-again").value_or("") == "a rewritten row takes no key");
    BOOST_TEST(!db->find_dedupe("plain:m-2"));
    BOOST_TEST((db->find_message("15550001", 1)->status == chat::message_status::read));
    db.reset();
    auto rows = test::sqlite_rows(file, "SELECT seq, dedupe_key, answer FROM messages ORDER BY seq");
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0][1] == "plain:m-1");
    BOOST_TEST(rows[0][2] == R"({"replies":[{"text":"hi"}],"state":"IDLE"})");
    BOOST_TEST(rows[1][1] == "");
    BOOST_TEST(test::sqlite_value(file, "SELECT group_concat(key) FROM (SELECT key FROM dedupe ORDER BY rowid)") ==
               "plain:alone,plain:m-1-again");
}

BOOST_AUTO_TEST_CASE(history_pages_by_seq_oldest_first) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    store::write_batch b;
    for (std::uint64_t seq = 1; seq <= 120; ++seq) b.messages.push_back(full_message(seq));
    write(*db, b);
    auto latest = db->load_messages("15550001", UINT64_MAX, 50);
    BOOST_TEST(latest.front().seq == 71u);
    BOOST_TEST(latest.back().seq == 120u);
    auto older = db->load_messages("15550001", 71, 50);
    BOOST_TEST(older.front().seq == 21u);
    BOOST_TEST(older.back().seq == 70u);
    BOOST_TEST(db->load_messages("15550001", 3, 50).size() == 2u);
}

BOOST_AUTO_TEST_CASE(events_are_pruned_by_time_oldest_first) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    store::write_batch b;
    for (std::uint64_t seq = 1; seq <= 10; ++seq)
        b.events_put.push_back({seq, from_unix_ms(1763900000000 + 1000 * static_cast<std::int64_t>(seq)),
                                std::make_shared<const std::string>("{}")});
    write(*db, b);
    store::write_batch prune;
    prune.events_prune_before = from_unix_ms(1763900006000);  // keeps seq 6 (at exactly the cut) onwards
    write(*db, prune);
    BOOST_TEST((db->event_bounds() == std::pair<std::uint64_t, std::uint64_t>{6, 10}));
    BOOST_TEST(db->load_events(0, 100).size() == 5u);
    prune.events_prune_before = from_unix_ms(1763999999999);  // after all of them
    write(*db, prune);
    BOOST_TEST(db->load_events(0, 100).empty());
}

// Both stores: events read back in seq order after a rewrite of one and a
// late arrival, from any point, a page at a time.
BOOST_AUTO_TEST_CASE(event_log_reads_in_seq_order_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        auto event = [](std::uint64_t seq, std::string text) {
            return store::event_record{seq, from_unix_ms(1763900000000 + static_cast<std::int64_t>(seq)),
                                       std::make_shared<const std::string>(std::move(text))};
        };
        store::write_batch b;
        for (std::uint64_t seq : {1, 2, 3, 5, 6}) b.events_put.push_back(event(seq, std::string("e").append(std::to_string(seq))));
        write(*db, b);
        store::write_batch late;
        late.events_put.push_back(event(4, "e4"));
        late.events_put.push_back(event(2, "e2 again"));
        write(*db, late);
        BOOST_TEST((db->event_bounds() == std::pair<std::uint64_t, std::uint64_t>{1, 6}));
        std::vector<std::string> texts;
        for (auto& e : db->load_events(0, 100)) texts.push_back(*e.json);
        BOOST_TEST((texts == std::vector<std::string>{"e1", "e2 again", "e3", "e4", "e5", "e6"}));
        auto page = db->load_events(2, 2);
        BOOST_TEST(page.size() == 2u);
        BOOST_TEST(page.front().seq == 3u);
        BOOST_TEST(page.back().seq == 4u);
        BOOST_TEST(db->load_events(6, 10).empty());
        store::write_batch prune;
        prune.events_prune_before = from_unix_ms(1763900000004);
        write(*db, prune);
        BOOST_TEST((db->event_bounds() == std::pair<std::uint64_t, std::uint64_t>{4, 6}));
    }
}

// Both stores: a deleted note's words leave the event log too. Its
// message.created is rewritten with the note as it is now, in whichever
// block holds it: one where a later event was numbered first, that is not
// the block begun nearest before its time, or one whose earliest event
// came before it;
// beside the deletion's own event, one far older and one far later, no
// other event changes.
BOOST_AUTO_TEST_CASE(the_event_log_keeps_a_deleted_notes_event_without_its_words_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    constexpr std::int64_t t = 1763900000000;
    auto envelope = [](std::uint64_t seq, std::int64_t at_ms, std::string data) {
        return kept_event(seq, at_ms, "message.created", "15550001", data);
    };
    auto carried = [](std::string id, std::string text) {
        return R"({"id":")" + id + R"(","text":")" + text + R"("})";
    };
    for (auto& db : stores) {
        std::vector<std::vector<store::event_record>> blocks = {
            {envelope(1, t - 120'000, carried("msg_0", "old"))},
            {envelope(2, t - 1, carried("msg_1", "hello"))},
            {envelope(3, t + 3, carried("msg_8", "after")), envelope(4, t - 2, carried("msg_3", "before")),
             envelope(5, t, carried("msg_7", "door code 7731"))},
            {envelope(6, t + 10, carried("msg_7", ""))},  // message.updated, as it is now
            {envelope(7, t + 15, carried("msg_2", "a while")), envelope(8, t + 20, carried("msg_5", "pin 1234"))},
            {envelope(9, t + 600'000, carried("msg_9", "much later"))}};
        for (auto& block : blocks) {
            store::write_batch b;
            b.events_put = block;
            write(*db, b);
        }
        rewrite_events(*db, {"msg_7", from_unix_ms(t), carried("msg_7", "")});
        rewrite_events(*db, {"msg_5", from_unix_ms(t + 20), carried("msg_5", "")});
        auto texts = texts_of(db->load_events(0, 100));
        std::vector<std::string> expected;
        for (auto& block : blocks)
            for (auto& e : block) expected.push_back(*e.json);
        expected[4] = *envelope(5, t, carried("msg_7", "")).json;
        expected[7] = *envelope(8, t + 20, carried("msg_5", "")).json;
        BOOST_TEST(texts == expected, std::string(db.get() == stores[0].get() ? "first" : "second") << " store");
    }
}

// Both stores: an erased user's events leave the log, each a placeholder
// of the same seq and time, across more blocks than the SQLite store's job
// reads at a time; the other user's stay, and so do the erasure's own
// event and the user's new conversation's, numbered after it. The SQLite
// store's blocks themselves are rewritten: the job is done by the next
// writes, and a store opened again reads them so.
BOOST_AUTO_TEST_CASE(an_erased_users_events_leave_the_log_in_both_stores) {
    test::temp_dir dir;
    constexpr std::int64_t t = 1763900000000;
    const std::string ana = "15550001", bo = "15550002";
    auto said = [](std::string text) { return R"({"id":"m","text":")" + text + R"("})"; };
    std::vector<std::vector<store::event_record>> blocks;
    std::uint64_t seq = 0;
    for (int i = 0; i < store::erasure_sweep::blocks_a_part * 3 / 2; ++i) {
        blocks.push_back({kept_event(++seq, t + i, "message.created", ana, said("order 4242, block " + std::to_string(i))),
                          kept_event(++seq, t + i, "message.created", bo, said("hello"))});
        if (i % 10 == 0) blocks.back().push_back(kept_event(++seq, t + i, "chat.queued", ana, R"({"phone":"15550001"})"));
    }
    blocks.push_back({kept_event(++seq, t + 1000, "conversation.deleted", ana, R"({"phone":"15550001","by":"admin"})")});
    const auto erased_upto = seq;
    auto anew = kept_event(++seq, t + 2000, "message.created", ana, said("hello again"));
    std::vector<std::string> expected;
    for (auto& block : blocks)
        for (auto& e : block) {
            bool erased = e.json->find(R"("conversation":"15550001")") != std::string::npos &&
                          e.json->find("conversation.deleted") == std::string::npos;
            expected.push_back(erased ? events::erased_envelope(e.seq, events::envelope_time(*e.json)) : *e.json);
        }
    expected.push_back(*anew.json);
    BOOST_TEST(expected[0] == R"({"seq":1,"type":"erased","conversation":"","data":{},"at":"2025-11-23T12:13:20.000Z"})");
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        auto which = std::string(db.get() == stores[0].get() ? "SQLite" : "memory") + " store";
        for (auto& block : blocks) {
            store::write_batch b;
            b.events_put = block;
            write(*db, b);
        }
        erase_events(*db, {ana, erased_upto});
        // Read at once as erased, before the job has got to them.
        BOOST_TEST(texts_of(db->load_events(0, 1000)) == std::vector(expected.begin(), expected.end() - 1), which);
        // A part of the job after each write at least: two parts, and the new conversation's event.
        for (int i = 0; i < 3; ++i) write(*db, store::write_batch{});
        store::write_batch again;
        again.events_put = {anew};
        write(*db, again);
        BOOST_TEST(texts_of(db->load_events(0, 1000)) == expected, which);
    }
    stores.clear();
    auto file = dir.path() / "switchboard.db";
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_erasures") == "0");
    auto reopened = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(texts_of(reopened->load_events(0, 1000)) == expected);
}

// Both stores: the sweep unpacks only the blocks whose filter may hold the
// erased conversation. A block filed under another conversation alone
// (which the hub never writes) is passed over, and is as it was.
BOOST_AUTO_TEST_CASE(the_sweep_unpacks_only_blocks_whose_filter_may_hold_the_conversation) {
    test::temp_dir dir;
    constexpr std::int64_t t = 1763900000000;
    auto filed = kept_event(1, t, "message.created", "15550001", R"({"id":"m1","text":"order 4242"})");
    auto misfiled = kept_event(2, t, "message.created", "15550001", R"({"id":"m2","text":"order 4343"})");
    misfiled.conversation_key = events::conversation_key("15550002");
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        for (auto& e : {filed, misfiled}) {
            store::write_batch b;
            b.events_put = {e};
            write(*db, b);
        }
        erase_events(*db, {"15550001", 2});
        for (int i = 0; i < 2; ++i) {
            store::write_batch more;  // the memory store's sweep goes on with the blocks put
            more.events_put = {kept_event(3 + i, t, "agent.presence", "", R"({"agent":"lea"})")};
            write(*db, more);
        }
        auto texts = texts_of(db->load_events(0, 2));
        BOOST_TEST_REQUIRE(texts.size() == 2u);
        BOOST_TEST(texts[0] == events::erased_envelope(1, events::envelope_time(*filed.json)));
        BOOST_TEST(texts[1] == *misfiled.json);
    }
}

// An erasure of the log the server stopped before it was done (a job kept,
// its blocks not read yet) is read as done at once after the next start,
// and carried out then: by the store that holds the directory, not by one
// opened beside it (`switchboard agent add`).
BOOST_AUTO_TEST_CASE(an_erasure_of_the_log_left_at_a_stop_goes_on_after_the_next_start) {
    test::temp_dir dir;
    constexpr std::int64_t t = 1763900000000;
    std::vector<std::string> expected;
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        b.events_put = {kept_event(1, t, "message.created", "15550001", R"({"id":"m1","text":"order 4242"})"),
                        kept_event(2, t, "message.created", "15550002", R"({"id":"m2","text":"hello"})")};
        write(*db, b);
        expected = {events::erased_envelope(1, events::envelope_time(*b.events_put[0].json)), *b.events_put[1].json};
    }
    auto file = dir.path() / "switchboard.db";
    test::sqlite_script(file, "INSERT INTO event_erasures (phone, upto_seq, joined_after, last_block, swept_after) VALUES ('15550001', 2, 0, 1, 0)");
    {
        auto beside = store::open_sqlite_store(dir.path().string());
        write(*beside, store::write_batch{});
        write(*beside, store::write_batch{});
    }
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_erasures") == "1");
    store::sqlite_options holding;
    holding.lock_directory = true;
    {
        auto db = store::open_sqlite_store(dir.path().string(), holding);
        BOOST_TEST(texts_of(db->load_events(0, 10)) == expected);
        write(*db, store::write_batch{});
        write(*db, store::write_batch{});
    }
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_erasures") == "0");
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_blocks") == "1");
    auto db = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(texts_of(db->load_events(0, 10)) == expected);
}

// Both stores: saved replies by shortcut; a rename (remove + put in one
// batch) keeps one row.
BOOST_AUTO_TEST_CASE(saved_replies_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        auto at = from_unix_ms(1763900000000);
        store::write_batch b;
        b.canned_put = {{"zebra", "Z", "admin", at}, {"hours", "9 to 5", "admin", at}};
        write(*db, b);
        store::write_batch rename;
        rename.canned_remove.push_back("zebra");
        rename.canned_put.push_back({"alpha", "A", "bob", at + std::chrono::seconds(1)});
        write(*db, rename);
        auto list = db->load_canned_responses();
        BOOST_REQUIRE(list.size() == 2u);
        BOOST_TEST(list[0].shortcut == "alpha");
        BOOST_TEST(list[0].updated_by == "bob");
        BOOST_TEST((list[0].updated_at == at + std::chrono::seconds(1)));
        BOOST_TEST(list[1].text == "9 to 5");
    }
}

// Both stores: the server's own state by name, the last value kept.
BOOST_AUTO_TEST_CASE(settings_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        BOOST_TEST(!db->find_setting("event_webhook"));
        store::write_batch b;
        b.settings_put = {{"event_webhook", R"({"after":1})"}, {"other", "x"}};
        write(*db, b);
        store::write_batch again;
        again.settings_put = {{"event_webhook", R"({"after":2})"}};
        write(*db, again);
        BOOST_TEST(db->find_setting("event_webhook").value_or("") == R"({"after":2})");
        BOOST_TEST(db->find_setting("other").value_or("") == "x");
        BOOST_TEST(!db->find_setting("event"));
        // Removed: gone; one never kept, no matter; a batch's removal after its put.
        store::write_batch gone;
        gone.settings_remove = {"other", "never"};
        gone.settings_put = {{"brief", "y"}};
        gone.settings_remove.push_back("brief");
        write(*db, gone);
        BOOST_TEST(!db->find_setting("other"));
        BOOST_TEST(!db->find_setting("brief"));
        BOOST_TEST(db->find_setting("event_webhook").value_or("") == R"({"after":2})");
    }
}

// A report's chats: those opened or closed in its period. The SQLite store
// reads a short period by its indexes and a long one straight through the
// table; either way, the same chats.
BOOST_AUTO_TEST_CASE(a_periods_chats_are_those_opened_or_closed_in_it_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    using days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
    auto day0 = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()) - days(100);
    for (auto& db : stores) {
        store::write_batch b;
        for (int i = 0; i < 100; ++i) {
            chat::chat_record c{"t_" + std::to_string(i), "1555" + std::to_string(i), day0 + days(i), "user"};
            c.agent = "bob";
            if (i % 2 == 0) c.closed_at = c.opened_at + days(1) + std::chrono::hours(1);  // closed the next day
            b.chats_put.push_back(c);
        }
        write(*db, b);
        auto tickets = [&](timestamp from, timestamp to) {
            std::set<std::string> out;
            db->each_chat(from, to, [&](const chat::chat_record& c) { out.insert(c.ticket_id); });
            return out;
        };
        // Days 10 and 11: opened then (t_10, t_11), or closed then (t_10, opened on day 9, is odd: open).
        BOOST_TEST((tickets(day0 + days(10), day0 + days(12)) == std::set<std::string>{"t_10", "t_11"}));
        // Days 11 to 13: t_10 closed on day 11.
        BOOST_TEST((tickets(day0 + days(11), day0 + days(13)) == std::set<std::string>{"t_10", "t_11", "t_12"}));
        // All of it, read straight through the table by SQLite.
        BOOST_TEST(tickets(day0, day0 + days(101)).size() == 100u);
        BOOST_TEST(tickets(day0 + days(50), day0 + days(101)).size() == 50u);
        BOOST_TEST(tickets(day0 + days(99), day0 + days(101)).size() == 2u);  // t_99, and t_98 closed on day 99
        BOOST_TEST(tickets(day0 + days(200), day0 + days(300)).empty());
    }
}

// A chat's record comes back as written, every field: what reports and
// the reply-target check read after a restart.
BOOST_AUTO_TEST_CASE(a_chat_record_is_kept_whole_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    auto at = [](std::int64_t s) { return from_unix_ms(1767261600000 + s * 1000); };
    chat::chat_record c{"t_1", "15550001", at(0), "user"};
    c.queued_at = at(0);
    c.assigned_at = at(10);
    c.agent = "bob";
    c.first_response_at = at(20);
    c.last_assigned_at = at(10);
    c.last_response_at = at(300);
    c.closed_at = at(900);
    c.close_reason = "agent";
    c.waiting_since = at(400);
    c.target_missed_for = at(400);
    c.answered_waits = {{at(100), at(160)}, {at(200), at(300)}};
    c.resolution_missed = true;
    c.team = "billing";
    c.labels = {"refund", "vip"};
    for (auto& db : stores) {
        store::write_batch b;
        b.chats_put.push_back(c);
        write(*db, b);
        std::vector<chat::chat_record> read;
        db->each_chat(at(0), at(1000), [&](const chat::chat_record& r) { read.push_back(r); });
        BOOST_REQUIRE(read.size() == 1u);
        auto& r = read[0];
        BOOST_TEST((std::tie(r.ticket_id, r.phone, r.opened_at, r.opened_by, r.queued_at, r.assigned_at, r.agent,
                             r.first_response_at, r.last_assigned_at, r.last_response_at, r.closed_at, r.close_reason,
                             r.waiting_since, r.target_missed_for, r.answered_waits, r.resolution_missed, r.team,
                             r.labels) ==
                    std::tie(c.ticket_id, c.phone, c.opened_at, c.opened_by, c.queued_at, c.assigned_at, c.agent,
                             c.first_response_at, c.last_assigned_at, c.last_response_at, c.closed_at, c.close_reason,
                             c.waiting_since, c.target_missed_for, c.answered_waits, c.resolution_missed, c.team,
                             c.labels)));
    }
}

// The audit log: each entry numbered as it comes, read newest first a page
// at a time, and only the newest audit_entries_kept of them kept.
BOOST_AUTO_TEST_CASE(the_audit_log_is_kept_newest_first_and_bounded_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        store::write_batch b;
        for (std::uint64_t i = 1; i <= store::audit_entries_kept + 5; ++i)
            b.audit_put.push_back({0, from_unix_ms(static_cast<std::int64_t>(i)), "admin", "sla.updated", "",
                                   "{\"n\":" + std::to_string(i) + "}"});
        write(*db, b);
        store::write_batch one;
        one.audit_put.push_back({0, from_unix_ms(1), "bob", "session.login", "bob", "{}"});
        write(*db, one);
        auto newest = db->load_audit(UINT64_MAX, 2);
        BOOST_REQUIRE(newest.size() == 2u);
        BOOST_TEST(newest[0].id == store::audit_entries_kept + 6);
        BOOST_TEST(newest[0].actor == "bob");
        BOOST_TEST(newest[0].target == "bob");
        BOOST_TEST(newest[1].details == "{\"n\":" + std::to_string(store::audit_entries_kept + 5) + "}");
        BOOST_TEST((newest[1].at == from_unix_ms(static_cast<std::int64_t>(store::audit_entries_kept + 5))));
        // The oldest six went: entries 7 onwards are kept.
        auto oldest = db->load_audit(9, 10);
        BOOST_REQUIRE(oldest.size() == 2u);
        BOOST_TEST(oldest[0].id == 8u);
        BOOST_TEST(oldest[1].id == 7u);
        BOOST_TEST(db->load_audit(7, 10).empty());
    }
}

BOOST_AUTO_TEST_CASE(expired_sessions_are_dropped_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        auto at = from_unix_ms(1763900000000);
        store::write_batch b;
        b.sessions_put = {{"h1", "bob", at, at + std::chrono::seconds(10)},
                          {"h2", "bob", at, at + std::chrono::seconds(20)},
                          {"h3", "amy", at, at + std::chrono::seconds(30), "CRM sync"}};
        write(*db, b);
        store::write_batch sweep;
        sweep.sessions_expired_by = at + std::chrono::seconds(20);  // h2 expires at that moment
        write(*db, sweep);
        auto left = db->load_sessions(timestamp{});  // expired or not
        BOOST_REQUIRE(left.size() == 1u);
        BOOST_TEST(left[0].token_hash == "h3");
        BOOST_TEST(left[0].name == "CRM sync");  // an API token's name
    }
}

// Search by message text: the user's and the agents' messages, any case,
// wildcards taken as typed; never the bot's, whose menu every conversation has.
BOOST_AUTO_TEST_CASE(text_search_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        auto said = [](std::string phone, std::uint64_t seq, chat::sender from, std::string text) {
            auto m = full_message(seq);
            m.id = phone + "_" + std::to_string(seq);
            m.phone = std::move(phone);
            m.from = from;
            m.text = std::move(text);
            m.channel_id.clear();
            return m;
        };
        store::write_batch b;
        b.messages = {said("15550001", 1, chat::sender::user, "My ORDER 77 is late"),
                      said("15550001", 2, chat::sender::bot, "Reply support to chat with a person"),
                      said("15550002", 1, chat::sender::admin, "Your refund is on its way: 100%"),
                      said("15550003", 1, chat::sender::bot, "Reply support to chat with a person, or register"),
                      said("15550001", 3, chat::sender::admin, "Order 77 left the depot"),
                      said("15550001", 4, chat::sender::user, "thanks")};
        write(*db, b);
        auto matches = [&](std::string_view text, std::size_t limit = 10) {
            auto found = db->text_matches(text, limit, {});
            std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.phone < b.phone; });
            return found;
        };
        auto found = [&](std::string_view text) {
            std::vector<std::string> phones;
            for (auto& m : matches(text)) phones.push_back(m.phone);
            return phones;
        };
        BOOST_TEST(found("order 77") == std::vector<std::string>{"15550001"});
        BOOST_TEST(found("refund") == std::vector<std::string>{"15550002"});
        BOOST_TEST(found("100%") == std::vector<std::string>{"15550002"});
        BOOST_TEST(found("0_") == std::vector<std::string>{});  // "_" is no wildcard
        BOOST_TEST(found("support").empty());  // only the bot said it
        BOOST_TEST(found("register").empty());
        // Each conversation's newest match.
        auto orders = matches("order 77");
        BOOST_TEST_REQUIRE(orders.size() == 1u);
        BOOST_TEST(orders[0].seq == 3u);
        BOOST_TEST(matches("refund").at(0).seq == 1u);
        BOOST_TEST(matches("o", 1).size() == 1u);  // at most `limit` conversations
        BOOST_TEST(matches("o", 2).size() == 2u);
        // Past `limit`, still each found conversation's newest match: one that
        // matched early and again after the others is not shown its first.
        store::write_batch more;
        more.messages = {said("15550011", 1, chat::sender::user, "my parcel"),
                         said("15550012", 1, chat::sender::user, "parcel here too"),
                         said("15550013", 1, chat::sender::user, "a parcel"),
                         said("15550011", 2, chat::sender::user, "the parcel again")};
        write(*db, more);
        const std::map<std::string, std::uint64_t> newest{{"15550011", 2}, {"15550012", 1}, {"15550013", 1}};
        for (std::size_t limit : {1u, 2u, 3u}) {
            auto few = matches("parcel", limit);
            BOOST_TEST(few.size() == limit);
            for (auto& m : few) BOOST_TEST(m.seq == newest.at(m.phone), m.phone << " at limit " << limit);
        }
        // And the conversations found are those with the latest matches.
        BOOST_TEST(matches("parcel", 1).at(0).phone == "15550011");
    }
}

// A search asks now and then whether its asker is still there, and ends
// short once not (the API asks whether the client has closed its connection).
BOOST_AUTO_TEST_CASE(a_text_search_ends_when_its_asker_has_gone) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        store::write_batch b;
        for (int i = 0; i < 2000; ++i) {
            auto m = full_message(1);
            m.phone = std::to_string(16660000 + i);
            m.id = m.phone + "_1";
            m.from = chat::sender::user;
            m.text = "where is my parcel";
            m.channel_id.clear();
            b.messages.push_back(std::move(m));
        }
        write(*db, b);
        int asked = 0;
        std::function<bool()> still_there = [&] {
            ++asked;
            return false;
        };
        BOOST_TEST(db->text_matches("parcel", 5000, still_there).size() == 2000u);
        BOOST_TEST(asked > 0);
        std::function<bool()> gone = [] { return true; };
        BOOST_TEST(db->text_matches("parcel", 5000, gone).size() < 2000u);
        BOOST_TEST(db->text_matches("parcel", 5000, {}).size() == 2000u);  // nobody asked: to the end
    }
}

// The in-memory log keeps each flush packed: events that share most of
// their text (as a flush's do) take a small part of it, and read back as
// they were written, across blocks and after a cut through one.
BOOST_AUTO_TEST_CASE(in_memory_event_log_keeps_flushes_packed) {
    store::memory_event_log log;
    std::vector<std::string> written;
    std::size_t text_bytes = 0;
    for (std::uint64_t flush = 0; flush < 3; ++flush) {
        store::event_block_writer block;
        for (std::uint64_t i = 1; i <= 100; ++i) {
            auto seq = flush * 100 + i;
            auto text = R"({"seq":)" + std::to_string(seq) +
                        R"(,"type":"message.created","conversation":"1555000)" + std::to_string(seq % 10) +
                        R"(","data":{"id":"m-)" + std::to_string(seq * 7919) +
                        R"(","text":"Welcome! Reply *support* to chat with a person."}})";
            block.add(seq, 1763900000000 + static_cast<std::int64_t>(seq), text);
            text_bytes += text.size();
            written.push_back(std::move(text));
        }
        log.put(block.pack());
    }
    BOOST_TEST(log.packed_bytes() * 4 < text_bytes, log.packed_bytes() << " bytes packed, " << text_bytes << " as text");
    BOOST_TEST((log.bounds() == std::pair<std::uint64_t, std::uint64_t>{1, 300}));

    auto across = log.after(95, 10);  // the end of the first flush, the start of the second
    BOOST_REQUIRE(across.size() == 10u);
    for (std::size_t i = 0; i < across.size(); ++i) {
        BOOST_TEST(across[i].seq == 96 + i);
        BOOST_TEST(*across[i].json == written[95 + i]);
        BOOST_TEST(to_unix_ms(across[i].at) == 1763900000000 + static_cast<std::int64_t>(96 + i));
    }

    log.prune_before(from_unix_ms(1763900000150));  // the first flush goes, the second is cut
    BOOST_TEST((log.bounds() == std::pair<std::uint64_t, std::uint64_t>{150, 300}));
    auto rest = log.after(0, 1000);
    BOOST_REQUIRE(rest.size() == 151u);
    BOOST_TEST(*rest.front().json == written[149]);
    BOOST_TEST(*rest.back().json == written[299]);
}

// Both stores: a message reads back field for field by every way there is
// to find it, and a rewrite of one (a status) replaces it.
BOOST_AUTO_TEST_CASE(messages_read_back_whole_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    auto same = [](const chat::message& a, const chat::message& b) {
        return a.id == b.id && a.phone == b.phone && a.seq == b.seq && a.from == b.from && a.agent == b.agent &&
               a.text == b.text && a.kind == b.kind && a.at == b.at && a.status == b.status &&
               a.channel_id == b.channel_id && a.client_id == b.client_id && a.error == b.error &&
               a.media == b.media && a.reply_to == b.reply_to && a.choices == b.choices && a.edited_at == b.edited_at;
    };
    for (auto& db : stores) {
        auto first = full_message(1), second = full_message(2), third = full_message(3), fourth = full_message(4);
        // A file and an error on one message: the in-memory store packs them together.
        first.status = chat::message_status::failed;
        first.error = "HTTP 400: (#131053) Media upload error";
        first.media = switchboard::chat::attachment{"88", "image/png", ""};
        first.reply_to = 0x0100'0000'0000'0002;  // and a quote: its bytes, a NUL among them, after the file's strings
        second.from = chat::sender::user;
        second.agent.clear();
        second.client_id.clear();
        second.text = "";  // empty fields, between full ones
        second.kind = "document";
        second.media = switchboard::chat::attachment{"1479537139650973", "application/pdf", "invoice 7 \"März\".pdf"};
        first.choices = chat::kept_choices(R"([{"text":"support","title":"Support"}])");  // and the bot's buttons, after the quote
        third.reply_to = 2;  // a quote alone
        third.choices = chat::kept_choices(R"([{"text":"1","title":"1 ★"},{"text":"5","title":"5 ★★★★★"}])");  // with choices
        fourth.kind = "note";  // a note, edited since, with an error (packed after its edit's time)
        fourth.status = chat::message_status::failed;
        fourth.error = "kept";
        store::write_batch b;
        b.messages = {first, second, third, fourth};
        write(*db, b);
        third.status = chat::message_status::read;
        fourth.text = "edited words";
        fourth.edited_at = from_unix_ms(1763900009999);
        store::write_batch status;
        status.messages = {third, fourth};
        write(*db, status);

        auto page = db->load_messages("15550001", 10, 10);
        BOOST_REQUIRE(page.size() == 4u);
        BOOST_TEST(same(page[0], first));
        BOOST_TEST(same(page[1], second));
        BOOST_TEST(same(page[2], third));
        BOOST_TEST(same(page[3], fourth));
        BOOST_TEST(!chat::was_edited(page[0]));
        BOOST_TEST(same(db->find_message("15550001", 2).value(), second));
        BOOST_TEST(same(db->find_message_by_channel_id("15550001", "wamid.3").value(), third));
        auto between = db->load_messages_between(from_unix_ms(0), from_unix_ms(1763900000502), std::nullopt, 10);
        BOOST_REQUIRE(between.size() == 1u);
        BOOST_TEST(same(between[0], first));
        BOOST_TEST(db->count_user_messages_after("15550001", 0) == 1u);
    }
    stores.clear();
    auto reopened = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(reopened->find_message("15550001", 2)->media->filename == "invoice 7 \"März\".pdf");
    BOOST_TEST(reopened->find_message("15550001", 1)->media->media_id == "88");
    BOOST_TEST(reopened->find_message("15550001", 3)->media.has_value() == false);
    BOOST_TEST(*reopened->find_message("15550001", 3)->choices == R"([{"text":"1","title":"1 ★"},{"text":"5","title":"5 ★★★★★"}])");
    BOOST_TEST(reopened->find_message("15550001", 2)->choices == nullptr);
    BOOST_TEST(to_unix_ms(reopened->find_message("15550001", 4)->edited_at) == 1763900009999);
    BOOST_TEST(reopened->find_message("15550001", 4)->text == "edited words");
    BOOST_TEST(!chat::was_edited(*reopened->find_message("15550001", 3)));
}

// Choices are served as JSON as they are kept: a row edited into anything
// else reads as offering nothing, not as a broken message object.
BOOST_AUTO_TEST_CASE(choices_that_are_not_a_list_of_choices_read_as_none) {
    test::temp_dir dir;
    {
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch b;
        b.messages = {full_message(1), full_message(2), full_message(3)};
        for (auto& m : b.messages) m.choices = chat::kept_choices(R"([{"text":"support","title":"Support"}])");
        write(*db, b);
    }
    auto file = (dir.path() / "switchboard.db").string();
    test::sqlite_script(file, "UPDATE messages SET choices = '[{\"text\":\"support\"' WHERE seq = 1;"
                              "UPDATE messages SET choices = '{\"text\":\"support\",\"title\":\"Support\"}' WHERE seq = 2;");
    auto db = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(db->find_message("15550001", 1)->choices == nullptr);  // not JSON
    BOOST_TEST(db->find_message("15550001", 2)->choices == nullptr);  // not a list
    BOOST_TEST(*db->find_message("15550001", 3)->choices == R"([{"text":"support","title":"Support"}])");
}

// Exports page by (at, phone, seq). The SQLite store finds messages by time
// in memory (schema v11): written out of order, sharing milliseconds, read
// back after a reopen, and moved in time by a rewrite, in both stores alike.
BOOST_AUTO_TEST_CASE(export_pages_follow_time_then_conversation_in_both_stores) {
    auto message_at = [](std::string phone, std::uint64_t seq, std::int64_t at_ms) {
        auto m = full_message(seq);
        m.phone = std::move(phone);
        m.id = "msg_" + m.phone + "_" + std::to_string(seq);
        m.at = from_unix_ms(at_ms);
        return m;
    };
    const std::vector<std::string> expected{"1000 b/1", "1001 a/1", "1001 a/2", "1001 b/2", "1001 c/1",
                                            "1002 c/2", "1003 a/3"};
    test::temp_dir dir;
    for (int kind = 0; kind < 2; ++kind) {
        auto db = kind == 0 ? store::open_sqlite_store(dir.path().string()) : store::make_memory_store();
        store::write_batch first, second, moved;
        first.messages = {message_at("c", 1, 1001), message_at("a", 2, 1001), message_at("b", 2, 1001),
                          message_at("a", 1, 1001), message_at("c", 2, 1005)};
        second.messages = {message_at("a", 3, 1003), message_at("b", 1, 1003), message_at("d", 1, 999),
                           message_at("d", 2, 1004)};
        write(*db, first);
        write(*db, second);
        // One was after the range and is now in it; one moves within it.
        moved.messages = {message_at("c", 2, 1002), message_at("b", 1, 1000)};
        write(*db, moved);
        for (std::size_t limit : {1u, 2u, 3u, 100u}) BOOST_TEST(export_pages(*db, 1000, 1004, limit) == expected);
        if (kind == 0) {
            db.reset();
            db = store::open_sqlite_store(dir.path().string());
            for (std::size_t limit : {1u, 2u, 100u}) BOOST_TEST(export_pages(*db, 1000, 1004, limit) == expected);
        }
    }
}

// The SQLite store finds messages by time through blocks of 256 rows
// (time_index.hpp). Thousands of messages, in many blocks, sent mostly in
// row order but some out of it (a step's clock, a rewrite), read back in the
// same pages as the in-memory store gives, before and after a reopen.
BOOST_AUTO_TEST_CASE(export_pages_over_many_row_blocks_match_the_memory_store) {
    std::vector<store::write_batch> batches(40);
    std::uint64_t state = 42;
    auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull, state >> 33; };
    std::map<std::string, std::uint64_t> seqs;
    for (std::size_t i = 0; i < 2400; ++i) {
        std::string phone = "p";
        phone += std::to_string(next() % 37);
        auto m = full_message(++seqs[phone]);
        m.phone = phone;
        m.id = "msg_" + phone + "_" + std::to_string(m.seq);
        // Close to row order, a few milliseconds either way; every 61st far back.
        auto at = 100000 + static_cast<std::int64_t>(i / 3) + static_cast<std::int64_t>(next() % 7) - 3;
        if (i % 61 == 0) at = 100000 + static_cast<std::int64_t>(next() % 50);
        m.at = from_unix_ms(at);
        batches[i * batches.size() / 2400].messages.push_back(m);
    }
    // Rewrites move some messages in time, later or earlier.
    store::write_batch moved;
    for (std::size_t b = 0; b < batches.size(); b += 7) {
        auto m = batches[b].messages.front();
        m.at = from_unix_ms(to_unix_ms(m.at) + (b % 2 ? 400 : -300));
        moved.messages.push_back(m);
    }
    test::temp_dir dir;
    auto sqlite = store::open_sqlite_store(dir.path().string());
    auto memory = store::make_memory_store();
    for (auto* db : {sqlite.get(), memory.get()}) {
        for (auto& b : batches) write(*db, b);
        write(*db, moved);
    }
    const std::vector<std::array<std::int64_t, 2>> ranges{{0, 200000}, {100000, 100050}, {100300, 100420}, {100790, 100801}};
    for (int reopened = 0; reopened < 2; ++reopened) {
        for (auto [from, to] : ranges)
            for (std::size_t limit : {1u, 50u, 300u, 5000u}) {
                auto expected = export_pages(*memory, from, to, limit);
                BOOST_TEST_CONTEXT("from " << from << " to " << to << ", pages of " << limit << ", reopened " << reopened) {
                    BOOST_TEST(!expected.empty());
                    BOOST_TEST(export_pages(*sqlite, from, to, limit) == expected);
                }
            }
        sqlite.reset();
        sqlite = store::open_sqlite_store(dir.path().string());
    }
    BOOST_TEST(export_pages(*sqlite, 0, 200000, 5000).size() == 2400u);
}

// An export page is the first messages by (time, phone, seq) past its
// cursor. Both stores find them through blocks of messages in the order
// stored, and skip blocks that cannot hold the page. Checked here against
// the order computed from what was sent: many messages share a millisecond,
// so pages end inside ties; two conversations' clock steps back now and
// then; some messages are given again with the same time (status updates),
// which must not repeat them, and some with another time, which must move
// them.
BOOST_AUTO_TEST_CASE(export_pages_match_the_order_of_every_message_sent_and_given_again) {
    struct sent {
        std::int64_t at;
        std::string phone;
        std::uint64_t seq;
    };
    std::vector<sent> all;
    store::write_batch batch;
    std::map<std::string, std::uint64_t> seqs;
    std::uint64_t state = 7;
    auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull, state >> 33; };
    for (std::int64_t i = 0; i < 3000; ++i) {
        std::string phone = "p" + std::to_string(next() % 50);
        auto at = 5000 + i / 20;
        if ((phone == "p7" || phone == "p13") && i % 100 == 99) at -= 40;  // its clock stepped back
        auto m = full_message(++seqs[phone]);
        m.phone = phone;
        m.id = "msg_" + phone + "_" + std::to_string(m.seq);
        m.at = from_unix_ms(at);
        batch.messages.push_back(m);
        all.push_back({at, phone, m.seq});
    }
    store::write_batch again;
    for (std::size_t i = 0; i < all.size(); i += 97) {
        auto m = batch.messages[i];
        m.status = chat::message_status::read;
        if (i % 2) m.at = from_unix_ms(all[i].at = all[i].at + (i % 4 == 1 ? 25 : -25));
        again.messages.push_back(m);
    }
    std::sort(all.begin(), all.end(),
              [](const sent& a, const sent& b) { return std::tie(a.at, a.phone, a.seq) < std::tie(b.at, b.phone, b.seq); });
    test::temp_dir dir;
    for (auto& db : both_stores(dir)) {
        write(*db, batch);
        write(*db, again);
        for (auto [from, to] : std::vector<std::array<std::int64_t, 2>>{{0, 10000}, {5020, 5021}, {5010, 5090}})
            for (std::size_t limit : {1u, 7u, 20u, 50u, 333u, 5000u}) {
                std::vector<std::string> expected;
                for (auto& m : all)
                    if (m.at >= from && m.at < to)
                        expected.push_back(std::to_string(m.at) + " " + m.phone + "/" + std::to_string(m.seq));
                BOOST_TEST_CONTEXT("from " << from << " to " << to << ", pages of " << limit) {
                    BOOST_TEST(!expected.empty());
                    BOOST_TEST(export_pages(*db, from, to, limit) == expected);
                }
            }
    }
}

BOOST_AUTO_TEST_CASE(provider_ids_find_our_messages_not_the_users) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    store::write_batch b;
    auto ours = full_message(1);
    auto theirs = full_message(2);
    theirs.from = chat::sender::user;
    b.messages = {ours, theirs};
    write(*db, b);
    BOOST_TEST(db->find_message_by_channel_id("15550001", "wamid.1")->seq == 1u);
    BOOST_TEST(!db->find_message_by_channel_id("15550001", "wamid.2"));
    BOOST_TEST(!db->find_message_by_channel_id("15550002", "wamid.1"));
}

// A user's own message is found by the dedupe key its webhook was taken
// under (SQLite), or by a look through its conversation (in memory), and
// never one of ours, another user's, or one its key does not name.
BOOST_AUTO_TEST_CASE(a_users_own_message_is_found_by_its_provider_id_in_both_stores) {
    test::temp_dir dir;
    auto check = [](const store::store& db) {
        BOOST_TEST(db.find_user_message_seq("15550001", "wamid.2", "whatsapp:wamid.2") == 2u);
        BOOST_TEST(db.find_user_message_seq("15550001", "wamid.3", "whatsapp:wamid.3") == 3u);
        BOOST_TEST(db.find_user_message_seq("15550001", "wamid.1", "whatsapp:wamid.1") == 0u);  // ours
        BOOST_TEST(db.find_user_message_seq("15550002", "wamid.2", "whatsapp:wamid.2") == 0u);  // not theirs
        BOOST_TEST(db.find_user_message_seq("15550001", "wamid.9", "whatsapp:wamid.9") == 0u);
    };
    {
        auto stores = both_stores(dir);
        for (auto& db : stores) {
            for (std::uint64_t seq = 1; seq <= 3; ++seq) {
                store::write_batch b;  // one webhook a batch, as the actor writes them
                auto m = full_message(seq);
                if (seq > 1) {
                    m.from = chat::sender::user;
                    b.dedupe.push_back({"whatsapp:" + m.channel_id, R"({"status":"ok"})", seq});
                }
                b.messages = {m};
                write(*db, b);
            }
            check(*db);
        }
    }
    check(*store::open_sqlite_store(dir.path().string()));  // its key index made again at the open
}

// The user's newest message before a seq, however many of ours follow it,
// in both stores and in SQLite opened again (its index made from the table).
BOOST_AUTO_TEST_CASE(the_users_newest_message_is_found_behind_any_number_of_ours) {
    test::temp_dir dir;
    auto check = [](const store::store& db) {
        auto seq_of = [&](std::uint64_t before) {
            auto m = db.find_latest_user_message("15550001", before);
            return m ? m->seq : 0;
        };
        BOOST_TEST(seq_of(1000) == 3u);  // behind 97 of ours
        BOOST_TEST(db.find_latest_user_message("15550001", 1000)->id == "msg_3");
        BOOST_TEST(seq_of(4) == 3u);
        BOOST_TEST(seq_of(3) == 2u);
        BOOST_TEST(seq_of(2) == 0u);  // seq 1 is ours
        BOOST_TEST(!db.find_latest_user_message("15550002", 1000));
    };
    {
        auto stores = both_stores(dir);
        for (auto& db : stores) {
            for (std::uint64_t seq = 1; seq <= 100; ++seq) {
                store::write_batch b;
                auto m = full_message(seq);
                m.from = seq == 2 || seq == 3 ? chat::sender::user : chat::sender::admin;
                b.messages = {m};
                write(*db, b);
            }
            check(*db);
        }
    }
    check(*store::open_sqlite_store(dir.path().string()));
}

BOOST_AUTO_TEST_CASE(a_failing_batch_writes_nothing_and_spares_the_others) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string(), one_megabyte());
    store::write_batch first;
    first.messages.push_back(full_message(1));
    write(*db, first);

    // A message the store has no room for: the whole batch goes.
    store::write_batch bad;
    bad.conversation = full_conversation();
    bad.messages.push_back(full_message(2));
    bad.messages.push_back(too_big_message(3));
    BOOST_CHECK_THROW(write(*db, bad), store::unavailable);
    BOOST_TEST(db->load_conversations().empty());
    BOOST_TEST(db->load_messages("15550001", UINT64_MAX, 50).size() == 1u);

    // Concurrent good batches queued with a bad one still land.
    net::io_context ioc;
    std::vector<std::future<void>> done;
    for (std::uint64_t seq = 10; seq < 20; ++seq) {
        store::write_batch b;
        b.messages.push_back(full_message(seq));
        b.dedupe.push_back({"plain:good-" + std::to_string(seq), "answer " + std::to_string(seq)});
        done.push_back(net::co_spawn(ioc, db->write(std::move(b)), net::use_future));
    }
    bad.dedupe.push_back({"plain:bad", "never"});
    done.push_back(net::co_spawn(ioc, db->write(bad), net::use_future));
    ioc.run();
    int failed = 0;
    for (auto& f : done) {
        try {
            f.get();
        } catch (const store::unavailable&) {
            ++failed;
        }
    }
    BOOST_TEST(failed == 1);
    BOOST_TEST(db->load_messages("15550001", UINT64_MAX, 50).size() == 11u);
    // Dedupe keys are answered from the moment their write returns, the
    // isolated good batches' included; the failed batch's key never was.
    for (std::uint64_t seq = 10; seq < 20; ++seq)
        BOOST_TEST(db->find_dedupe("plain:good-" + std::to_string(seq)).value_or("") == "answer " + std::to_string(seq));
    BOOST_TEST(!db->find_dedupe("plain:bad"));
}

// The (phone, seq) index lives in memory (schema v8): what follows reads
// through it, after a reopen and after a failed write.
// Start-up files the rows a batch of 8,192 at a time on a thread of its own
// (index_scan.cpp): a database of several batches and a part one comes
// back whole, every message, its sender and its webhook's dedupe key.
BOOST_AUTO_TEST_CASE(a_reopen_finds_every_message_of_many_scan_batches) {
    test::temp_dir dir;
    constexpr int phones = 37, per_phone = 700;  // 25,900 rows: three full batches and a part
    auto phone_of = [](int p) { return "1555" + std::to_string(1000000 + p); };
    {
        auto db = store::open_sqlite_store(dir.path().string());
        // A batch a phone and round, as a conversation's steps write: its
        // third message is the user's, and its webhook's key goes in that row.
        for (int round = 0; round < per_phone / 50; ++round)
            for (int p = 0; p < phones; ++p) {
                store::write_batch b;
                for (int i = 0; i < 50; ++i) {
                    auto seq = static_cast<std::uint64_t>(round * 50 + i + 1);
                    auto m = full_message(seq);
                    m.phone = phone_of(p);
                    m.id = "msg_" + m.phone + "_" + std::to_string(seq);
                    m.from = seq % 3 == 0 || i == 2 ? chat::sender::user : chat::sender::bot;
                    b.messages.push_back(m);
                }
                auto inbound = static_cast<std::uint64_t>(round * 50 + 3);
                b.dedupe.push_back({"plain:" + phone_of(p) + "-" + std::to_string(round), "answer " + phone_of(p), inbound});
                write(*db, b);
            }
    }
    auto db = store::open_sqlite_store(dir.path().string());
    for (int p = 0; p < phones; ++p) {
        auto phone = phone_of(p);
        BOOST_TEST_CONTEXT("phone " << phone) {
            std::uint32_t users = 0;  // seqs divisible by 3, and each round's third
            for (int seq = 1; seq <= per_phone; ++seq) users += seq % 3 == 0 || (seq - 1) % 50 == 2;
            BOOST_TEST(db->count_user_messages_after(phone, 0) == users);
            auto page = db->load_messages(phone, per_phone + 1, per_phone + 10);
            BOOST_TEST(page.size() == static_cast<std::size_t>(per_phone));
            for (std::size_t i = 0; i < page.size(); ++i) BOOST_TEST(page[i].seq == i + 1);
            for (int round = 0; round < per_phone / 50; ++round)
                BOOST_TEST(db->find_dedupe("plain:" + phone + "-" + std::to_string(round)).value_or("") == "answer " + phone);
        }
    }
    BOOST_TEST(!db->find_dedupe("plain:unknown").has_value());
}

// A row behind its messages (only they changed since) is brought up to date
// at start: the newest message, and for the preview the newest the user or
// an agent wrote to the chat, which the bot's replies and notes do not hide.
BOOST_AUTO_TEST_CASE(a_rows_catch_up_names_its_new_preview_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    for (auto& db : stores) {
        // Each conversation's row as of its first message, then the rest.
        struct said {
            chat::sender from;
            std::string text;
            std::string kind = "text";
        };
        auto conversation = [&](std::string phone, std::vector<said> messages) {
            store::write_batch b;
            b.conversation = full_conversation();
            b.conversation->phone = phone;
            b.conversation->last_seq = b.conversation->last_message_seq = 1;
            std::uint64_t seq = 0;
            for (auto& one : messages) {
                auto m = full_message(++seq);
                m.phone = phone;
                m.id = phone + "_" + std::to_string(seq);
                m.from = one.from;
                m.text = one.text;
                m.kind = one.kind;
                b.messages.push_back(std::move(m));
            }
            write(*db, std::move(b));
        };
        using enum chat::sender;
        conversation("15550001",
                     {{user, "hi"}, {bot, "the menu"}, {user, "where is my order?"}, {bot, "sent to support"}});
        conversation("15550002", {{user, "hi"}, {bot, "the menu"}, {admin, "VIP", "note"}, {bot, "you are number 1"}});
        conversation("15550003", {{user, "hi"}, {bot, "the menu"}, {admin, "on it"}});

        std::map<std::string, store::row_catch_up> ups;
        for (auto& up : db->load_row_catch_ups()) ups.emplace(up.newest.phone, up);
        BOOST_REQUIRE(ups.size() == 3u);
        BOOST_TEST(ups["15550001"].newest.seq == 4u);
        BOOST_TEST(ups["15550001"].user_messages == 1u);
        BOOST_REQUIRE(ups["15550001"].preview.has_value());
        BOOST_TEST(ups["15550001"].preview->seq == 3u);
        BOOST_TEST(ups["15550001"].preview->text == "where is my order?");
        BOOST_TEST(ups["15550002"].newest.seq == 4u);
        BOOST_TEST(!ups["15550002"].preview.has_value());  // a note and the bot's: the row's preview stands
        BOOST_REQUIRE(ups["15550003"].preview.has_value());
        BOOST_TEST(ups["15550003"].preview->text == "on it");
        BOOST_TEST(ups["15550003"].preview->seq == ups["15550003"].newest.seq);
    }
}

BOOST_AUTO_TEST_CASE(messages_are_found_by_phone_and_seq_after_a_reopen) {
    test::temp_dir dir;
    auto other = [](std::uint64_t seq) {
        auto m = full_message(seq);
        m.phone = "15550002";
        m.id = "other_" + std::to_string(seq);
        return m;
    };
    {
        auto db = store::open_sqlite_store(dir.path().string());
        auto c = full_conversation();
        c.last_seq = 2;  // the row behind its messages, as after a kill
        store::write_batch b;
        b.conversation = c;
        for (std::uint64_t seq = 1; seq <= 6; ++seq) {
            auto m = full_message(seq);
            if (seq % 2 == 0) m.from = chat::sender::user;
            b.messages.push_back(m);
            b.messages.push_back(other(seq));
        }
        b.messages[4].at = from_unix_ms(1763900000000);  // seq 3 earlier than 1 and 2: read back out of order
        write(*db, b);
        auto update = full_message(4);
        update.from = chat::sender::user;
        update.status = chat::message_status::read;
        store::write_batch u;
        u.messages.push_back(update);
        write(*db, u);
        // Who wrote each message is kept from the writes, and a rewritten
        // row (seq 4's) still counts once.
        BOOST_TEST(db->count_user_messages_after("15550001", 0) == 3u);  // seq 2, 4 and 6
        BOOST_TEST(db->count_user_messages_after("15550001", 4) == 1u);
        BOOST_TEST(db->count_user_messages_after("15550002", 0) == 0u);
    }
    auto db = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(db->count_user_messages_after("15550001", 0) == 3u);  // and read back at open
    BOOST_TEST(db->count_user_messages_after("15550002", 0) == 0u);
    auto page = db->load_messages("15550001", 6, 3);
    BOOST_REQUIRE(page.size() == 3u);
    BOOST_TEST(page[0].seq == 3u);
    BOOST_TEST(page[2].seq == 5u);
    BOOST_TEST((page[1].status == chat::message_status::read));
    BOOST_TEST(db->load_messages("15550002", UINT64_MAX, 50).size() == 6u);
    BOOST_TEST(db->find_message("15550002", 3)->id == "other_3");
    BOOST_TEST(!db->find_message("15550001", 7));
    BOOST_TEST(!db->find_message("15550003", 1));
    BOOST_TEST(db->count_user_messages_after("15550001", 2) == 2u);  // seq 4 and 6
    auto ups = db->load_row_catch_ups();
    BOOST_REQUIRE(ups.size() == 1u);  // 15550002 has no row to catch up
    BOOST_TEST(ups[0].newest.seq == 6u);
    BOOST_TEST(ups[0].user_messages == 2u);
}

BOOST_AUTO_TEST_CASE(a_message_and_its_update_in_one_transaction_keep_one_row) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    auto sent = full_message(1);
    sent.status = chat::message_status::sent;
    auto delivered = full_message(1);
    delivered.status = chat::message_status::delivered;
    store::write_batch b;
    b.messages = {sent, delivered};
    write(*db, b);
    auto page = db->load_messages("15550001", UINT64_MAX, 50);
    BOOST_REQUIRE(page.size() == 1u);
    BOOST_TEST((page[0].status == chat::message_status::delivered));
}

// A step says which of its messages it made (write_batch's
// new_messages_from_seq): those are inserted without a look in the index;
// the others in the same batch still replace their rows.
BOOST_AUTO_TEST_CASE(messages_a_step_made_are_inserted_and_the_rest_replace_their_rows) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    store::write_batch first;
    first.messages = {full_message(1), full_message(2)};
    first.new_messages_from_seq = 1;
    write(*db, first);
    auto read = full_message(2);
    read.status = chat::message_status::read;
    store::write_batch next;
    next.messages = {read, full_message(3), full_message(4)};
    next.new_messages_from_seq = 3;
    write(*db, next);
    auto page = db->load_messages("15550001", UINT64_MAX, 50);
    BOOST_REQUIRE(page.size() == 4u);
    BOOST_TEST((page[1].status == chat::message_status::read));
    BOOST_TEST(page[3].seq == 4u);
    db.reset();
    BOOST_TEST(test::sqlite_value(store::sqlite_file_in(dir.path().string()), "SELECT count(*) FROM messages") == "4");
}

BOOST_AUTO_TEST_CASE(a_seq_whose_write_failed_can_be_written_again) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string(), one_megabyte());
    store::write_batch first;
    first.messages.push_back(full_message(1));
    write(*db, first);
    store::write_batch bad;
    bad.messages.push_back(full_message(2));
    bad.messages.push_back(too_big_message(3));
    BOOST_CHECK_THROW(write(*db, bad), store::unavailable);
    BOOST_TEST(!db->find_message("15550001", 2));

    auto retry = full_message(2);
    retry.id = "msg_2_again";
    store::write_batch again;
    again.messages.push_back(retry);
    write(*db, again);
    BOOST_TEST(db->find_message("15550001", 2)->id == "msg_2_again");
    BOOST_TEST(db->load_messages("15550001", UINT64_MAX, 50).size() == 2u);
}

// Checkpoints run on a thread of their own (checkpointer.hpp), which takes
// SQLite's automatic ones away. Writes that never pause keep that thread from
// ever catching up on its own: the writer copies what it leaves (or all of it
// past ten times the threshold), and the WAL stays within twice that
// whatever the timing.
BOOST_AUTO_TEST_CASE(the_wal_stays_bounded_while_writes_go_on) {
    test::temp_dir dir;
    store::sqlite_options o;
    o.checkpoint_frames = 50;
    auto wal = dir.path() / "switchboard.db-wal";
    std::uintmax_t largest = 0;
    {
        auto db = store::open_sqlite_store(dir.path().string(), o);
        std::uint64_t seq = 0;
        for (int i = 0; i < 1500; ++i) {
            write_a_page_of_messages(*db, seq);
            largest = std::max(largest, std::filesystem::file_size(wal));
        }
    }
    BOOST_TEST(largest < 2 * 10 * 50 * (4096u + 24u));
    BOOST_TEST(largest > 50 * 4096u);  // it did fill up to a checkpoint
    auto db = store::open_sqlite_store(dir.path().string(), o);
    BOOST_TEST(db->load_messages("15550001", UINT64_MAX, 10000).size() == 6000u);
}

// What a commit leads to, checkpoints due every 50 frames. Past ten times
// that the writer copies the WAL itself, after the thread's checkpoint if
// one is running: beside it, the writer's would copy nothing, and a thread
// slower than the writer (a slow disk) would let the WAL grow without end.
BOOST_AUTO_TEST_CASE(past_ten_times_the_threshold_the_writer_checkpoints_after_the_thread) {
    using store::checkpointer;
    using step = checkpointer::step;
    BOOST_TEST((checkpointer::after_commit(10, 0, false, 50) == step::none));
    BOOST_TEST((checkpointer::after_commit(50, 0, false, 50) == step::start_thread));
    BOOST_TEST((checkpointer::after_commit(120, 0, true, 50) == step::none));          // the thread copies
    BOOST_TEST((checkpointer::after_commit(130, 120, false, 50) == step::finish_here));  // little left: the writer
    BOOST_TEST((checkpointer::after_commit(200, 120, false, 50) == step::start_thread));  // much left: the thread
    BOOST_TEST((checkpointer::after_commit(500, 0, true, 50) == step::wait_then_finish));
    BOOST_TEST((checkpointer::after_commit(500, 120, false, 50) == step::finish_here));
}

// A reader that holds a snapshot (a long report) holds the WAL back from
// starting over, and it grows; once let go, the WAL starts over and is cut
// back to twice the checkpoint threshold, rather than keep its size.
BOOST_AUTO_TEST_CASE(a_wal_grown_behind_a_long_read_is_cut_back_once_it_is_let_go) {
    test::temp_dir dir;
    store::sqlite_options o;
    o.checkpoint_frames = 50;
    auto wal = dir.path() / "switchboard.db-wal";
    auto db = store::open_sqlite_store(dir.path().string(), o);
    std::uint64_t seq = 0;
    auto write_batches = [&](int count) {
        for (int i = 0; i < count; ++i) write_a_page_of_messages(*db, seq);
    };
    write_batches(10);
    std::uintmax_t grown = 0;
    {
        store::sqlite::connection reader((dir.path() / "switchboard.db").string(), SQLITE_OPEN_READONLY);
        reader.exec("BEGIN");
        auto read = reader.prepare("SELECT count(*) FROM messages");
        BOOST_REQUIRE(read.step());
        write_batches(400);
        grown = std::filesystem::file_size(wal);
        BOOST_TEST(grown > 10 * 50 * 4096u);
        read.reset();
        reader.exec("COMMIT");
    }
    write_batches(400);
    auto after = std::filesystem::file_size(wal);
    BOOST_TEST(after < 3 * 50 * (4096u + 24u));
    BOOST_TEST(db->load_messages("15550001", UINT64_MAX, 10000).size() == 810 * 4u);
}

// The event log keeps a row per batch, compressed (schema v9, event_blocks.hpp).
BOOST_AUTO_TEST_CASE(the_event_log_keeps_a_compressed_row_per_batch) {
    test::temp_dir dir;
    auto file = dir.path() / "switchboard.db";
    std::size_t json_bytes = 0;
    {
        auto db = store::open_sqlite_store(dir.path().string());
        for (std::uint64_t batch = 0; batch < 3; ++batch) {
            store::write_batch b;
            for (std::uint64_t k = 1; k <= 40; ++k) {
                auto seq = batch * 40 + k;
                auto json = R"({"seq":)" + std::to_string(seq) + R"(,"type":"message.created","conversation":"15550001",)"
                            R"("data":{"text":"Welcome! Reply *support* to chat with a person."}})";
                json_bytes += json.size();
                b.events_put.push_back({seq, from_unix_ms(1763900000000 + static_cast<std::int64_t>(seq)),
                                        std::make_shared<const std::string>(json)});
            }
            write(*db, b);
        }
    }
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_blocks") == "3");
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_blocks WHERE typeof(body) = 'blob'") == "3");
    BOOST_TEST(std::stoul(test::sqlite_value(file, "SELECT sum(length(body)) FROM event_blocks")) * 4 < json_bytes);

    // A row migrated from the one-row-per-event log (v8) is a block of one, in TEXT.
    test::sqlite_script(file, "INSERT INTO event_blocks (first_seq, last_seq, first_at, last_at, body) "
                              "VALUES (121, 121, 1763900000121, 1763900000121, '{\"seq\":121}')");
    auto db = store::open_sqlite_store(dir.path().string());
    BOOST_TEST((db->event_bounds() == std::pair<std::uint64_t, std::uint64_t>{1, 121}));
    auto across = db->load_events(30, 20);  // the end of one block, the start of the next
    BOOST_REQUIRE(across.size() == 20u);
    BOOST_TEST(across.front().seq == 31u);
    BOOST_TEST(across.back().seq == 50u);
    BOOST_TEST(across[10].json->find(R"({"seq":41,)") == 0u);
    BOOST_TEST((across[10].at == from_unix_ms(1763900000041)));
    auto tail = db->load_events(118, 10);
    BOOST_REQUIRE(tail.size() == 3u);
    BOOST_TEST(*tail.back().json == R"({"seq":121})");

    // Pruning cuts the block it falls in two, and keeps the newer part.
    store::write_batch prune;
    prune.events_prune_before = from_unix_ms(1763900000061);
    write(*db, prune);
    BOOST_TEST((db->event_bounds() == std::pair<std::uint64_t, std::uint64_t>{61, 121}));
    BOOST_TEST(db->load_events(0, 1).front().seq == 61u);
    BOOST_TEST(test::sqlite_value(file, "SELECT count(*) FROM event_blocks") == "3");
}

BOOST_AUTO_TEST_CASE(a_damaged_event_block_is_a_clear_error) {
    test::temp_dir dir;
    { auto db = store::open_sqlite_store(dir.path().string()); }
    test::sqlite_script(dir.path() / "switchboard.db",
                        "INSERT INTO event_blocks (first_seq, last_seq, first_at, last_at, body) "
                        "VALUES (1, 5, 0, 0, x'28b52ffd00')");
    auto db = store::open_sqlite_store(dir.path().string());
    BOOST_CHECK_EXCEPTION(db->load_events(0, 10), std::runtime_error, [](const std::runtime_error& e) {
        return std::string(e.what()).find("stored events") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_a_clear_error) {
    test::temp_dir dir;
    std::ofstream(dir.path() / "switchboard.db") << std::string(8192, 'x');
    try {
        store::open_sqlite_store(dir.path().string());
        BOOST_ERROR("opened a corrupt database");
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("switchboard.db") != std::string::npos, what);
        BOOST_TEST(what.find("not a database") != std::string::npos, what);
    }
    // And the file is left as it was: nothing overwritten.
    BOOST_TEST(std::filesystem::file_size(dir.path() / "switchboard.db") == 8192u);
}

// Migration 47: the rows of campaigns deleted before a deletion removed its
// row (`campaign:<id>`) go, those the list (`campaigns`) names stay; a list
// that does not read leaves every row.
BOOST_AUTO_TEST_CASE(migration_47_drops_the_rows_of_campaigns_the_list_no_longer_names) {
    for (auto [list, left] : {std::pair<std::string, std::string>{R"(["cmp_kept"])", "campaign:cmp_kept campaigns"},
                              {"not json", "campaign:cmp_gone campaign:cmp_kept campaigns"}}) {
        test::temp_dir dir;
        store::open_sqlite_store(dir.path().string());
        auto db = dir.path() / "switchboard.db";
        test::sqlite_script(db, "INSERT INTO settings (key, value) VALUES ('campaign:cmp_kept', '{}'), "
                                "('campaign:cmp_gone', '{}'), ('campaigns', '" + list + "'); " + test::schema_back_to(46));
        store::open_sqlite_store(dir.path().string());
        std::string keys;
        for (auto& row : test::sqlite_rows(db, "SELECT key FROM settings WHERE key LIKE 'campaign%' ORDER BY key"))
            keys += (keys.empty() ? "" : " ") + row.at(0);
        BOOST_TEST(keys == left, "the list " << list);
    }
}

BOOST_AUTO_TEST_CASE(a_database_from_a_newer_build_is_refused) {
    test::temp_dir dir;
    store::open_sqlite_store(dir.path().string());
    sqlite3* raw = nullptr;
    sqlite3_open((dir.path() / "switchboard.db").c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    BOOST_CHECK_EXCEPTION(store::open_sqlite_store(dir.path().string()), std::runtime_error,
                          [](const std::runtime_error& e) { return std::string(e.what()).find("999") != std::string::npos; });
}

BOOST_AUTO_TEST_CASE(a_full_disk_refuses_writes_and_keeps_what_was_written) {
    test::temp_dir dir;
    store::sqlite_options opts;
    opts.max_size_mb = 1;
    auto db = store::open_sqlite_store(dir.path().string(), opts);
    std::uint64_t seq = 1;
    bool refused = false;
    for (; seq < 5000 && !refused; ++seq) {
        store::write_batch b;
        auto m = full_message(seq);
        m.text = std::string(4000, 'x');
        b.messages.push_back(m);
        try {
            write(*db, b);
        } catch (const store::unavailable& e) {
            refused = true;
            BOOST_TEST(std::string(e.what()).find("full") != std::string::npos, e.what());
        }
    }
    BOOST_TEST(refused);
    auto kept = db->load_messages("15550001", UINT64_MAX, 100000);
    BOOST_TEST(kept.size() == seq - 2);  // every write before the refusal, none after
}

// A user's chats, newest first, a page at a time: two opened in the same
// millisecond are ordered by ticket, so that no page boundary skips one.
BOOST_AUTO_TEST_CASE(a_users_chats_are_paged_newest_first_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    auto opened = [](std::string ticket, std::string phone, std::int64_t ms) {
        chat::chat_record c;
        c.ticket_id = std::move(ticket);
        c.phone = std::move(phone);
        c.opened_at = from_unix_ms(ms);
        return c;
    };
    for (auto& db : stores) {
        store::write_batch b;
        b.chats_put = {opened("t_a", "1555", 1000), opened("t_c", "1555", 2000), opened("t_b", "1555", 2000),
                       opened("t_d", "1556", 3000)};
        b.chats_put[0].first_seq = 7;
        b.ratings.push_back({"1555", "t_c", "bob", 4, from_unix_ms(2500)});
        b.ratings.push_back({"1555", "t_c", "bob", 5, from_unix_ms(2600)});  // given again: the last counts
        write(*db, b);
        std::vector<std::string> tickets;
        std::optional<store::chat_position> after;
        for (int page = 0; page < 4; ++page) {
            auto chats = db->load_chats_of("1555", after, 1);
            if (chats.empty()) break;
            BOOST_TEST(chats.size() == 1u);
            tickets.push_back(chats[0].ticket_id);
            after = store::chat_position{chats[0].opened_at, chats[0].ticket_id};
        }
        BOOST_TEST((tickets == std::vector<std::string>{"t_c", "t_b", "t_a"}));
        BOOST_TEST(db->load_chats_of("1555", std::nullopt, 3).back().first_seq == 7u);
        BOOST_TEST(db->load_chats_of("1555", std::nullopt, 10).size() == 3u);
        BOOST_TEST(db->load_chats_of("1557", std::nullopt, 10).empty());
        BOOST_TEST(db->find_rating("t_c").value_or(0) == 5);
        BOOST_TEST(!db->find_rating("t_b"));
    }
}

// An admin erases a user (DELETE /conversations/{phone}): their row,
// messages, chats, ratings, outbox items and notifications go, in one
// batch, and nobody else's; the user who writes again starts anew, and
// exports and searches find only their new messages.
BOOST_AUTO_TEST_CASE(an_erased_conversation_leaves_nothing_behind_in_both_stores) {
    test::temp_dir dir;
    auto stores = both_stores(dir);
    const std::string gone = "15550001", kept = "15550002";
    auto said = [](const std::string& phone, std::uint64_t seq, std::string text) {
        auto m = full_message(seq);
        m.id = "msg_" + phone + "_" + std::to_string(seq);
        m.phone = phone;
        m.from = seq == 1 ? chat::sender::user : chat::sender::admin;
        m.text = std::move(text);
        m.channel_id = "wamid." + phone + "." + std::to_string(seq);
        return m;
    };
    auto everything_of = [&](const std::string& phone, std::uint64_t at_ms) {
        store::write_batch b;
        auto c = full_conversation();
        c.phone = phone;
        c.last_seq = 2;
        b.conversation = c;
        b.messages = {said(phone, 1, "my parcel 4242 of " + phone), said(phone, 2, "on its way")};
        b.messages[1].status = chat::message_status::failed;
        b.messages[1].error = "HTTP 400: refused";
        b.messages[1].media = chat::attachment{"media-" + phone, "image/jpeg", ""};
        chat::chat_record chat;
        chat.ticket_id = "t_" + phone;
        chat.phone = phone;
        chat.opened_at = from_unix_ms(static_cast<std::int64_t>(at_ms));
        b.chats_put = {chat};
        b.ratings = {{phone, "t_" + phone, "alice", 5, from_unix_ms(static_cast<std::int64_t>(at_ms + 1))}};
        b.outbox_put = {{"msg_" + phone + "_2", phone, 2, chat::channel::whatsapp, "106540352242922", "on its way", 0,
                         from_unix_ms(static_cast<std::int64_t>(at_ms))}};
        notify::notification n;
        n.id = at_ms;
        n.agent = "alice";
        n.type = "message";
        n.conversation = phone;
        n.text = "my parcel";
        n.created_at = from_unix_ms(static_cast<std::int64_t>(at_ms));
        b.notifications_put = {n};
        b.dedupe = {{"whatsapp:wamid." + phone + ".1", "answer to " + phone, 1}};  // the user's message's
        return b;
    };
    const auto from = from_unix_ms(0), to = from_unix_ms(4000000000000);
    auto phones_in = [&](const std::vector<chat::conversation>& cs) {
        std::set<std::string> out;
        for (auto& c : cs) out.insert(c.phone);
        return out;
    };
    auto exported = [&](store::store& db) {  // each once
        std::multiset<std::string> out;
        for (auto& m : db.load_messages_between(from, to, std::nullopt, 100)) out.insert(m.phone + "/" + m.text);
        return out;
    };
    auto check_gone = [&](store::store& db) {
        BOOST_TEST(phones_in(db.load_conversations()) == std::set<std::string>{kept});
        BOOST_TEST(!db.find_dedupe("whatsapp:wamid." + gone + ".1"));
        BOOST_TEST(db.find_dedupe("whatsapp:wamid." + kept + ".1").value_or("") == "answer to " + kept);
        BOOST_TEST(db.load_messages(gone, UINT64_MAX, 10).empty());
        BOOST_TEST(!db.find_message(gone, 1));
        BOOST_TEST(!db.find_latest_user_message(gone, UINT64_MAX));
        BOOST_TEST(!db.find_message_by_channel_id(gone, "wamid." + gone + ".2"));
        BOOST_TEST(db.count_user_messages_after(gone, 0) == 0u);
        BOOST_TEST(db.load_chats_of(gone, std::nullopt, 10).empty());
        BOOST_TEST(!db.find_rating("t_" + gone));
        auto ratings = ratings_in(db, from, to);
        BOOST_TEST_REQUIRE(ratings.size() == 1u);
        BOOST_TEST(ratings[0].phone == kept);
        std::vector<std::string> chats;
        db.each_chat(from, to, [&](const chat::chat_record& c) { chats.push_back(c.phone); });
        BOOST_TEST(chats == std::vector<std::string>{kept});
        auto outbox = db.load_outbox();
        BOOST_TEST_REQUIRE(outbox.size() == 1u);
        BOOST_TEST(outbox[0].phone == kept);
        auto notes = db.load_notifications("alice", UINT64_MAX, 10, false);
        BOOST_TEST_REQUIRE(notes.size() == 1u);
        BOOST_TEST(notes[0].conversation == kept);
        BOOST_TEST(db.count_unread_notifications("alice") == 1u);
        BOOST_TEST(!db.find_notification(1000));
        db.catch_up_search_index();
        auto found = db.text_matches("parcel 4242", 10, {});
        BOOST_TEST_REQUIRE(found.size() == 1u);
        BOOST_TEST(found[0].phone == kept);
        // The other's rows and all of their row, as they were.
        BOOST_TEST(db.load_messages(kept, UINT64_MAX, 10).size() == 2u);
        BOOST_TEST(db.find_message(kept, 2)->error == "HTTP 400: refused");
        BOOST_TEST(db.find_message(kept, 2)->media->media_id == "media-" + kept);
        BOOST_TEST(db.find_rating("t_" + kept).value_or(0) == 5);
    };
    for (auto& db : stores) {
        write(*db, everything_of(gone, 1000));
        write(*db, everything_of(kept, 2000));
        db->catch_up_search_index();  // the index holds the messages that go
        store::write_batch erase;
        erase.erase_conversation = store::erasure{gone, from_unix_ms(4000), "admin"};
        write(*db, erase);
        check_gone(*db);
        BOOST_TEST(exported(*db) == (std::multiset<std::string>{kept + "/my parcel 4242 of " + kept, kept + "/on its way"}));
        // They write again: seq 1 anew, with another text and time.
        store::write_batch again;
        auto c = full_conversation();
        c.phone = gone;
        c.last_seq = 1;
        c.created_at = from_unix_ms(4000);  // a conversation begun anew starts at the erasure (kept on reopening)
        again.conversation = c;
        auto m = said(gone, 1, "hello again");
        m.at = from_unix_ms(5000);
        auto answer = said(gone, 2, "welcome back");
        answer.at = from_unix_ms(5001);
        answer.channel_id = "wamid.anew";
        again.messages = {m, answer};
        again.new_messages_from_seq = 1;
        write(*db, again);
        auto theirs = db->load_messages(gone, UINT64_MAX, 10);
        BOOST_TEST_REQUIRE(theirs.size() == 2u);
        BOOST_TEST(theirs[0].text == "hello again");
        BOOST_TEST(!db->find_message(gone, 3));
        // A status for the message seq 2 was before names it by its old id: not the new one.
        BOOST_TEST(!db->find_message_by_channel_id(gone, "wamid." + gone + ".2"));
        BOOST_TEST(db->find_message_by_channel_id(gone, "wamid.anew")->text == "welcome back");
        BOOST_TEST(exported(*db) == (std::multiset<std::string>{kept + "/my parcel 4242 of " + kept, kept + "/on its way",
                                                                 gone + "/hello again", gone + "/welcome back"}));
        // Found by what they wrote before, in an index that has not dropped it yet or has.
        BOOST_TEST(db->text_matches("parcel 4242 of " + gone, 10, {}).empty());
        db->catch_up_search_index();
        BOOST_TEST(db->text_matches("parcel 4242 of " + gone, 10, {}).empty());
        BOOST_TEST(db->text_matches("hello again", 10, {}).size() == 1u);
    }
    stores.clear();
    // The index's own file holds no word of them.
    BOOST_TEST(test::sqlite_value(dir.path() / "search.db", "SELECT count(*) FROM message_text WHERE text LIKE '%of " + gone + "%'") == "0");
    auto reopened = store::open_sqlite_store(dir.path().string());
    BOOST_TEST(reopened->load_messages(gone, UINT64_MAX, 10).size() == 2u);
    BOOST_TEST(reopened->load_chats_of(gone, std::nullopt, 10).empty());
    BOOST_TEST(reopened->load_outbox().size() == 1u);
    BOOST_TEST(reopened->text_matches("parcel 4242 of " + gone, 10, {}).empty());
}

// The list of erasures beside the database: what was appended reads back in
// order, by whom and when to the millisecond; a line a crash cut short (no
// newline) or one that does not read is passed over, and the rest stand,
// those appended after it too.
BOOST_AUTO_TEST_CASE(the_list_of_erasures_reads_back_what_was_appended_and_passes_over_a_torn_line) {
    test::temp_dir dir;
    store::erasure_list list(dir.path().string());
    BOOST_TEST(list.read().empty());  // no file yet
    list.append({"15550001", from_unix_ms(1764950400123), "admin"});
    { std::ofstream(list.file(), std::ios::app) << "not a time\t15550009\tadmin\n"; }
    list.append({"15550002", from_unix_ms(1764950400456), "lea"});
    { std::ofstream(list.file(), std::ios::app) << "2026-12-05T16:00:00.000Z\t15550003\tadm"; }  // cut short
    BOOST_TEST(list.read().size() == 2u);
    list.append({"15550004", from_unix_ms(1764950400789), "admin"});  // after the torn line, on a line of its own
    auto read = list.read();
    BOOST_TEST_REQUIRE(read.size() == 3u);
    BOOST_TEST(read[2].phone == "15550004");
    BOOST_TEST(read[2].by == "admin");
    BOOST_TEST(read[0].phone == "15550001");
    BOOST_TEST(to_unix_ms(read[0].at) == 1764950400123);
    BOOST_TEST(read[0].by == "admin");
    BOOST_TEST(read[1].phone == "15550002");
    BOOST_TEST(read[1].by == "lea");
}

// The search index drops an erased conversation's rows a moment after the
// table: a search in between does not find the user, who wrote again, by
// what they wrote before.
BOOST_AUTO_TEST_CASE(a_search_does_not_find_a_user_by_what_they_wrote_before_their_erasure) {
    auto said = [](std::string phone, std::string text) {
        auto m = full_message(1);
        m.id = "msg_" + text;
        m.phone = std::move(phone);
        m.from = chat::sender::user;
        m.text = std::move(text);
        m.channel_id.clear();
        return m;
    };
    // Their row the last (SQLite gives it to their next message), or another's after it.
    for (bool last : {true, false}) {
        test::temp_dir dir;
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch first;
        first.messages = {said("15550001", "my parcel 4242")};
        if (!last) first.messages.push_back(said("15550002", "someone else"));
        write(*db, first);
        db->catch_up_search_index();
        store::write_batch erase;
        erase.erase_conversation = store::erasure{"15550001"};
        write(*db, erase);
        store::write_batch again;  // seq 1 again
        again.messages = {said("15550001", "hello again")};
        write(*db, again);
        BOOST_TEST(db->text_matches("parcel 4242", 10, {}).empty(), "last: " << last);
        BOOST_TEST(db->text_matches("hello again", 10, {}).size() == 1u, "last: " << last);
    }
}

// The SQLite store's rows append, and SQLite gives a deleted last row's
// rowid to the next message: the search index, which holds the rows up to
// one rowid, reads those again, and drops the text of the erased ones.
BOOST_AUTO_TEST_CASE(the_search_index_reads_again_the_rows_an_erased_conversation_left) {
    test::temp_dir dir;
    auto db = store::open_sqlite_store(dir.path().string());
    auto said = [](std::string phone, std::uint64_t seq, std::string text) {
        auto m = full_message(seq);
        m.id = phone + "_" + std::to_string(seq) + "_" + text;
        m.phone = std::move(phone);
        m.from = chat::sender::user;
        m.text = std::move(text);
        m.channel_id.clear();
        return m;
    };
    store::write_batch first;
    first.messages = {said("15550001", 1, "apple pie"), said("15550002", 1, "banana split"),
                      said("15550002", 2, "banana bread")};
    write(*db, first);
    db->catch_up_search_index();  // the index holds all three rows
    store::write_batch erase;
    erase.erase_conversation = store::erasure{"15550002"};
    write(*db, erase);
    store::write_batch next;  // takes the rows the banana ones had
    next.messages = {said("15550003", 1, "cherry tart"), said("15550003", 2, "cherry jam")};
    write(*db, next);
    db->catch_up_search_index();
    BOOST_TEST(db->text_matches("banana", 10, {}).empty());
    auto cherries = db->text_matches("cherry", 10, {});
    BOOST_TEST_REQUIRE(cherries.size() == 1u);
    BOOST_TEST(cherries[0].phone == "15550003");
    BOOST_TEST(cherries[0].seq == 2u);
    BOOST_TEST(db->text_matches("apple", 10, {}).size() == 1u);
    db.reset();
    // The index's own file holds no word of them.
    auto index = dir.path() / "search.db";
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text WHERE text LIKE '%banana%'") == "0");
    BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text WHERE text LIKE '%cherry%'") == "2");
}

// A note deleted keeps its place (seq) with its text gone. The search
// index held its text under its row: no search finds it by that, at once
// (before the index drops it) or after a restart, and the index, which
// held messages up to that very row, still knows its database after it.
BOOST_AUTO_TEST_CASE(a_deleted_note_is_found_by_its_text_neither_at_once_nor_after_a_restart) {
    auto written = [](std::uint64_t seq, chat::sender from, std::string kind, std::string text) {
        auto m = full_message(seq);
        m.from = from;
        m.agent = from == chat::sender::admin ? "bob" : "";
        m.kind = std::move(kind);
        m.text = std::move(text);
        m.channel_id.clear();
        return m;
    };
    auto note = written(2, chat::sender::admin, "note", "door code 7731");
    // The note the last row the index holds, or another message after it.
    for (bool last : {true, false}) {
        test::temp_dir dir;
        auto db = store::open_sqlite_store(dir.path().string());
        store::write_batch first;
        first.messages = {written(1, chat::sender::user, "text", "hello"), note};
        if (!last) first.messages.push_back(written(3, chat::sender::user, "text", "7731 is my order too"));
        write(*db, first);
        db->catch_up_search_index();
        BOOST_TEST(db->text_matches("door code", 10, {}).size() == 1u, "last: " << last);
        store::write_batch deletion;
        auto deleted = note;
        deleted.text.clear();
        BOOST_TEST(chat::is_deleted_note(deleted));
        deletion.messages = {deleted};
        write(*db, deletion);
        BOOST_TEST(db->text_matches("door code", 10, {}).empty(), "last: " << last);  // the index holds it yet
        auto kept = db->find_message("15550001", 2);
        BOOST_TEST_REQUIRE(kept.has_value());
        BOOST_TEST(kept->text == "");
        BOOST_TEST(kept->agent == "bob");
        BOOST_TEST(db->load_messages("15550001", UINT64_MAX, 10).size() == (last ? 2u : 3u));
        db->catch_up_search_index();
        db.reset();
        auto index = dir.path() / "search.db";
        BOOST_TEST(test::sqlite_value(index, "SELECT count(*) FROM message_text WHERE text LIKE '%door code%'") == "0");
        // The row it says it holds up to is there, its message the one it names.
        auto upto = test::sqlite_value(index, "SELECT upto FROM indexed");
        BOOST_TEST(test::sqlite_value(dir.path() / "switchboard.db", "SELECT id FROM messages WHERE rowid = " + upto) ==
                       test::sqlite_value(index, "SELECT last_message FROM indexed"),
                   "last: " << last);
        db = store::open_sqlite_store(dir.path().string());
        BOOST_TEST(db->text_matches("door code", 10, {}).empty(), "last: " << last);
        BOOST_TEST(db->text_matches("7731", 10, {}).size() == (last ? 0u : 1u));
        auto listed = db->load_messages("15550001", UINT64_MAX, 10);
        BOOST_TEST_REQUIRE(listed.size() == (last ? 2u : 3u));
        BOOST_TEST(listed[1].seq == 2u);
        BOOST_TEST(chat::is_deleted_note(listed[1]));
    }
}

BOOST_AUTO_TEST_SUITE_END()
