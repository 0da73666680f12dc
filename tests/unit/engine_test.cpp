// The engine in-process: actors, the store and the queue without HTTP.
#include "switchboard/channels/event_webhook.hpp"
#include "switchboard/channels/outbox.hpp"
#include "switchboard/chat/engine.hpp"
#include "switchboard/core/metrics.hpp"
#include "switchboard/events/event.hpp"
#include "switchboard/store/store.hpp"

#include "captured_stderr.hpp"
#include "receiver.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <set>
#include <thread>

using namespace switchboard;
namespace net = boost::asio;

namespace {

struct recording_sink final : events::event_sink {
    std::mutex mutex;
    std::vector<events::event> seen;
    void publish(events::event e) override {
        std::lock_guard lock(mutex);
        seen.push_back(std::move(e));
    }
    void clear() {
        std::lock_guard lock(mutex);
        seen.clear();
    }
    std::vector<std::string> types() {
        std::lock_guard lock(mutex);
        std::vector<std::string> out;
        for (auto& e : seen) out.emplace_back(e.type);
        return out;
    }
};

namespace storage = switchboard::store;  // inside a store, `store` is the class

// A store that refuses every write once told to, as a full disk does, or
// holds one until let go, as a slow one does; and reads what the store
// under it holds.
class refusing_store final : public storage::store {
public:
    explicit refusing_store(std::unique_ptr<storage::store> under) : under_(std::move(under)) {}
    std::atomic<bool> refusing{false};
    bool holding = false;  // the next write waits for let_go()

    void async_write(storage::write_batch batch, write_done done) override {
        if (refusing) return std::move(done)(std::make_exception_ptr(storage::unavailable("the disk is full")));
        if (holding) {
            holding = false;
            held_.emplace(std::move(batch), std::move(done));
            return;
        }
        under_->async_write(std::move(batch), std::move(done));
    }
    void async_rewrite_events(switchboard::events::data_rewrite r, write_done done) override {
        under_->async_rewrite_events(std::move(r), std::move(done));
    }
    void async_erase_events(switchboard::events::erased_conversation e, write_done done) override {
        under_->async_erase_events(std::move(e), std::move(done));
    }
    bool holds_one() const { return held_.has_value(); }
    void let_go() {
        auto [batch, done] = std::move(*held_);
        held_.reset();
        under_->async_write(std::move(batch), std::move(done));
    }
    std::optional<std::string> find_dedupe(std::string_view key) const override { return under_->find_dedupe(key); }
    std::vector<chat::conversation> load_conversations() const override { return under_->load_conversations(); }
    std::vector<storage::row_catch_up> load_row_catch_ups() const override { return under_->load_row_catch_ups(); }
    std::vector<chat::message> load_messages(std::string_view phone, std::uint64_t before_seq,
                                             std::size_t limit) const override {
        return under_->load_messages(phone, before_seq, limit);
    }
    std::optional<chat::message> find_message(std::string_view phone, std::uint64_t seq) const override {
        return under_->find_message(phone, seq);
    }
    std::optional<chat::message> find_message_by_channel_id(std::string_view phone,
                                                            std::string_view channel_id) const override {
        return under_->find_message_by_channel_id(phone, channel_id);
    }
    std::uint64_t find_user_message_seq(std::string_view phone, std::string_view channel_id,
                                        std::string_view dedupe_key) const override {
        return under_->find_user_message_seq(phone, channel_id, dedupe_key);
    }
    std::optional<chat::message> find_latest_user_message(std::string_view phone,
                                                          std::uint64_t before_seq) const override {
        return under_->find_latest_user_message(phone, before_seq);
    }
    std::vector<storage::outbox_item> load_outbox() const override { return under_->load_outbox(); }
    void each_rating(timestamp from, timestamp to, const std::function<void(const storage::rating&)>& f) const override {
        under_->each_rating(from, to, f);
    }
    std::uint32_t count_user_messages_after(std::string_view phone, std::uint64_t seq) const override {
        return under_->count_user_messages_after(phone, seq);
    }
    std::vector<chat::message> load_messages_between(timestamp from, timestamp to, const std::optional<message_key>& after,
                                                     std::size_t limit) const override {
        return under_->load_messages_between(from, to, after, limit);
    }
    std::vector<storage::text_match> text_matches(std::string_view text, std::size_t limit,
                                                const std::function<bool()>& stop) const override {
        return under_->text_matches(text, limit, stop);
    }
    std::vector<chat::chat_record> load_open_chats() const override { return under_->load_open_chats(); }
    void each_chat(timestamp from, timestamp to, const std::function<void(const chat::chat_record&)>& f) const override {
        under_->each_chat(from, to, f);
    }
    std::vector<chat::chat_record> load_chats_of(std::string_view phone, const std::optional<storage::chat_position>& after,
                                                 std::size_t limit) const override {
        return under_->load_chats_of(phone, after, limit);
    }
    std::optional<int> find_rating(std::string_view ticket_id) const override { return under_->find_rating(ticket_id); }
    std::vector<storage::canned_response> load_canned_responses() const override { return under_->load_canned_responses(); }
    std::vector<storage::audit_entry> load_audit(std::uint64_t before_id, std::size_t limit) const override {
        return under_->load_audit(before_id, limit);
    }
    std::optional<std::string> find_setting(std::string_view key) const override { return under_->find_setting(key); }
    std::vector<notify::notification> load_notifications(std::string_view agent, std::uint64_t before_id,
                                                          std::size_t limit, bool unread_only) const override {
        return under_->load_notifications(agent, before_id, limit, unread_only);
    }
    std::optional<notify::notification> find_notification(std::uint64_t id) const override {
        return under_->find_notification(id);
    }
    std::size_t count_unread_notifications(std::string_view agent) const override {
        return under_->count_unread_notifications(agent);
    }
    std::uint64_t last_notification_id() const override { return under_->last_notification_id(); }
    std::vector<storage::agent_record> load_agents() const override { return under_->load_agents(); }
    std::optional<storage::agent_record> find_agent(std::string_view username) const override {
        return under_->find_agent(username);
    }
    std::vector<storage::session_record> load_sessions(timestamp now) const override { return under_->load_sessions(now); }
    std::vector<storage::event_record> load_events(std::uint64_t after, std::size_t limit) const override {
        return under_->load_events(after, limit);
    }
    std::pair<std::uint64_t, std::uint64_t> event_bounds() const override { return under_->event_bounds(); }
    void close() override { under_->close(); }

private:
    std::unique_ptr<storage::store> under_;
    std::optional<std::pair<storage::write_batch, write_done>> held_;
};

// An engine on a 2-thread io_context, as in the server.
struct engine_fixture {
    net::io_context ioc{2};
    std::unique_ptr<store::store> db;
    recording_sink events;
    metrics::registry metrics;
    channels::outbox outbox{ioc, *db, metrics, {}};
    chat::engine engine;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work{ioc.get_executor()};
    std::vector<std::thread> threads;

    explicit engine_fixture(std::unique_ptr<store::store> store = store::make_memory_store(),
                            chat::engine_options options = {})
        : db(std::move(store)), engine{ioc, *db, events, outbox, metrics, std::move(options)} {
        engine.start();
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    }
    ~engine_fixture() {
        engine.stop();
        outbox.stop();
        work.reset();
        ioc.stop();
        for (auto& t : threads) t.join();
    }

    template <class T>
    T run(net::awaitable<T> a) {
        return net::co_spawn(ioc, std::move(a), net::use_future).get();
    }

    chat::inbound_result say(std::string phone, std::string text, chat::channel via = chat::channel::plain,
                             std::string profile_name = {}, std::string kind = "text") {
        chat::inbound_message m;
        m.via = via;
        m.phone = std::move(phone);
        m.text = std::move(text);
        m.profile_name = std::move(profile_name);
        m.kind = std::move(kind);
        return run(engine.receive(std::move(m)));
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(profile_name_fills_the_name_of_an_unregistered_user_only) {
    engine_fixture f;
    f.say("16505551234", "hi", chat::channel::whatsapp, "Sheena Nelson");
    auto c = f.run(f.engine.find("16505551234")).value();
    BOOST_TEST(c.name == "Sheena Nelson");
    BOOST_TEST(!c.registered);

    f.say("16505551234", "register", chat::channel::whatsapp, "Sheena Nelson");
    f.say("16505551234", "Sheena", chat::channel::whatsapp, "Sheena Nelson");
    f.say("16505551234", "hello", chat::channel::whatsapp, "Someone Else");
    c = f.run(f.engine.find("16505551234")).value();
    BOOST_TEST(c.name == "Sheena");  // a registered name is the user's choice
    BOOST_TEST(c.registered);
}

BOOST_AUTO_TEST_CASE(support_sets_the_chat_flags_and_end_clears_them) {
    engine_fixture f;
    f.say("1555", "support");
    auto c = f.run(f.engine.find("1555")).value();
    BOOST_TEST(c.in_chat_support);
    BOOST_TEST(c.chat_support_active);
    BOOST_TEST(c.chat_start_time.has_value());
    BOOST_TEST(!c.support_ticket_id.empty());
    BOOST_TEST(c.queued_at.has_value());

    f.say("1555", "done");
    c = f.run(f.engine.find("1555")).value();
    BOOST_TEST(!c.in_chat_support);
    BOOST_TEST(!c.chat_support_active);
    BOOST_TEST(!c.chat_start_time.has_value());
    BOOST_TEST(c.support_ticket_id.empty());
    BOOST_TEST((c.state == chat::conv_state::rating));

    f.say("1555", "4");
    std::vector<store::rating> ratings;
    f.db->each_rating(timestamp{}, timestamp::max(), [&](const store::rating& r) { ratings.push_back(r); });
    BOOST_REQUIRE(ratings.size() == 1u);
    BOOST_TEST(ratings[0].score == 4);
    BOOST_TEST(!ratings[0].ticket_id.empty());
}

BOOST_AUTO_TEST_CASE(events_follow_each_step) {
    engine_fixture f;
    f.say("1555", "support");
    auto types = f.events.types();
    std::vector<std::string> expected{"message.created", "message.created", "chat.started", "chat.queued",
                                      "conversation.updated"};
    BOOST_TEST(types == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(conversation_updated_goes_only_for_what_the_messages_do_not_show) {
    engine_fixture f;
    using types = std::vector<std::string>;
    f.say("1555", "hello");  // a new conversation is introduced with its object
    BOOST_TEST(f.events.types() == (types{"message.created", "message.created", "conversation.updated"}),
               boost::test_tools::per_element());

    // The menu again: only the preview, the unread count and the times move,
    // which the two messages show.
    f.events.clear();
    f.say("1555", "hello");
    BOOST_TEST(f.events.types() == (types{"message.created", "message.created"}), boost::test_tools::per_element());
    auto c = f.run(f.engine.find("1555"));
    BOOST_REQUIRE(c.has_value());
    BOOST_TEST(c->unread == 2u);
    BOOST_TEST(c->last_seq == 4u);

    // A new state is more than the messages show.
    f.events.clear();
    f.say("1555", "register");
    BOOST_TEST(f.events.types() == (types{"message.created", "message.created", "conversation.updated"}),
               boost::test_tools::per_element());

    // In a chat: the user's message, the bot's receipt and the agent's answer,
    // each its own event only.
    f.say("1555", "support");
    chat::agent_ref admin{"admin", "Admin", true};
    f.run(f.engine.start_chat("1555", admin));
    f.events.clear();
    f.say("1555", "my order is late");
    f.run(f.engine.send("1555", admin, "Looking into it", ""));
    BOOST_TEST(f.events.types() == (types{"message.created", "message.created", "message.created"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(concurrent_messages_from_one_number_land_in_one_conversation_in_sequence) {
    engine_fixture f;
    constexpr int n = 200;
    std::vector<std::future<chat::inbound_result>> pending;
    for (int i = 0; i < n; ++i) {
        chat::inbound_message m;
        m.phone = "15550009";
        m.text = "message " + std::to_string(i);
        pending.push_back(net::co_spawn(f.ioc, f.engine.receive(std::move(m)), net::use_future));
    }
    for (auto& p : pending) p.get();
    BOOST_TEST(f.engine.conversation_count() == 1u);
    auto messages = f.db->load_messages("15550009", UINT64_MAX, 10 * n);
    BOOST_TEST(messages.size() == 2u * n);  // each message and its menu
    std::set<std::uint64_t> seqs;
    for (auto& m : messages) seqs.insert(m.seq);
    BOOST_TEST(seqs.size() == 2u * n);
    BOOST_TEST(*seqs.begin() == 1u);
    BOOST_TEST(*seqs.rbegin() == 2u * n);
    for (std::size_t i = 0; i + 1 < messages.size(); i += 2) {  // every answer right after its message
        BOOST_TEST((messages[i].from == chat::sender::user));
        BOOST_TEST((messages[i + 1].from == chat::sender::bot));
    }
}

// Steps that change only what their messages imply leave the stored row
// alone; a restart brings the conversation back exactly as it was.
BOOST_AUTO_TEST_CASE(a_restart_restores_what_steps_left_out_of_the_conversation_row) {
    test::temp_dir dir;
    auto file = dir.path() / "switchboard.db";
    auto row_seq = [&] { return std::stoull(test::sqlite_value(file, "SELECT last_seq FROM conversations WHERE phone = '15550009'")); };
    chat::conversation before;
    {
        engine_fixture f(store::open_sqlite_store(dir.path().string()));
        f.say("15550009", "hello");     // a new conversation: its row is written
        f.say("15550009", "register");  // a new state: written
        f.say("15550009", "Ada");       // registered: written
        for (int i = 0; i < 3; ++i) f.say("15550009", "more " + std::to_string(i));  // implied by their messages
        before = *f.run(f.engine.find("15550009"));
        BOOST_TEST(before.last_seq == 12u);
        BOOST_TEST(before.unread == 6u);
        BOOST_TEST(row_seq() == 6u);  // as of "Ada" and its reply
        for (int i = 0; i < 20; ++i) f.say("15550009", "and more " + std::to_string(i));
        // A reaction changes nothing but the preview: its type comes back from its message.
        f.say("15550009", "[reaction] 👍", chat::channel::plain, {}, "reaction");
        before = *f.run(f.engine.find("15550009"));
        // Never more than a few dozen messages behind, so restoring stays quick.
        BOOST_TEST(before.last_seq == 53u);
        BOOST_TEST(row_seq() > 53u - 32u);
        BOOST_TEST(row_seq() < 53u);
    }
    engine_fixture f(store::open_sqlite_store(dir.path().string()));
    auto after = *f.run(f.engine.find("15550009"));
    BOOST_TEST(after.last_seq == before.last_seq);
    BOOST_TEST(after.unread == before.unread);
    BOOST_TEST(after.last_message == before.last_message);
    BOOST_TEST((after.last_sender == before.last_sender));
    BOOST_TEST(after.last_message_seq == before.last_message_seq);
    BOOST_TEST(after.last_message_kind == "reaction");
    // The preview is the user's last message, not the bot's answer before it.
    BOOST_TEST(before.last_message == "[reaction] 👍");
    BOOST_TEST(before.last_message_seq == 53u);
    // Times are stored to the millisecond, rows and messages alike.
    BOOST_TEST(to_unix_ms(after.updated_at) == to_unix_ms(before.updated_at));
    BOOST_TEST(to_unix_ms(after.last_activity) == to_unix_ms(before.last_activity));
    BOOST_TEST(after.name == "Ada");
    BOOST_TEST(after.registered);
    // And the next message carries on from there.
    f.say("15550009", "back again");
    BOOST_TEST(f.run(f.engine.find("15550009"))->last_seq == 55u);
}

// A list read page by page: every conversation once, newest activity first,
// ties within a millisecond by phone, also where a page ends inside a tie.
namespace {

struct seeded_list {
    std::unique_ptr<store::store> db = store::make_memory_store();
    std::vector<chat::conversation> all;

    // 500 conversations over 40 milliseconds (a dozen a millisecond), in an
    // order that is neither the activity's nor the phones'. Every fifth has
    // an agent's chat (bob's or ann's), every seventh else is queued. Their
    // priorities cycle by 11s, so each priority spans every millisecond.
    seeded_list() {
        auto base = to_unix_ms(std::chrono::system_clock::now()) - 60'000;
        for (int i = 0; i < 500; ++i) {
            chat::conversation c;
            c.phone = std::to_string(1000 + (i * 7919) % 500);
            c.last_seq = 1;  // a conversation, not a contact no message has been written to or from
            c.created_at = c.updated_at = c.last_activity = from_unix_ms(base + (i * 13) % 40);
            c.priority = static_cast<chat::conv_priority>((i / 11) % 5);
            if (i % 5 == 0) {
                c.state = chat::conv_state::chat_support_active;
                c.in_chat_support = c.chat_support_active = true;
                c.assignee = i % 10 == 0 ? "bob" : "ann";
            } else if (i % 7 == 0) {
                c.state = chat::conv_state::chat_support_active;
                c.in_chat_support = c.chat_support_active = true;
                c.queued_at = c.last_activity;
            }
            store::write_batch b;
            if (c.chat_support_active) {  // two in three wait, a few to a millisecond, since before their activity
                c.support_ticket_id = "t_" + c.phone;
                chat::chat_record chat{c.support_ticket_id, c.phone, c.last_activity, "user"};
                if (i % 3 != 0) chat.waiting_since = from_unix_ms(base - 1000 + (i * 17) % 20);
                c.chat = chat;
                b.chats_put.push_back(std::move(chat));
            }
            b.conversation = c;
            std::exception_ptr failed;
            db->async_write(std::move(b), [&](std::exception_ptr e) { failed = e; });
            if (failed) std::rethrow_exception(failed);
            all.push_back(std::move(c));
        }
    }

    // What a list must show, all pages together.
    std::vector<std::string> expected(const std::function<bool(const chat::conversation&)>& wanted,
                                      chat::list_query::order by = chat::list_query::order::activity) const {
        auto rows = all;
        std::erase_if(rows, [&](auto& c) { return !wanted(c); });
        std::sort(rows.begin(), rows.end(), [&](auto& a, auto& b) {
            if (by == chat::list_query::order::waiting) {
                auto aw = to_unix_ms(*chat::waiting_since(a)), bw = to_unix_ms(*chat::waiting_since(b));
                return aw != bw ? aw < bw : a.phone < b.phone;
            }
            if (by == chat::list_query::order::priority && a.priority != b.priority) return a.priority > b.priority;
            auto am = to_unix_ms(a.last_activity), bm = to_unix_ms(b.last_activity);
            return am != bm ? am > bm : a.phone < b.phone;
        });
        std::vector<std::string> phones;
        for (auto& c : rows) phones.push_back(c.phone);
        return phones;
    }
};

// Every page of `q` with `limit`, following the cursor as the API does.
std::vector<std::string> read_pages(const chat::engine& engine, chat::list_query q, std::size_t limit) {
    q.limit = limit;
    std::vector<std::string> phones;
    for (int pages = 0; pages < 1000; ++pages) {
        auto page = engine.listed(q);
        BOOST_TEST(page.rows.size() <= limit);
        for (auto& v : page.rows) phones.push_back(v.record->phone);
        if (!page.more) break;
        BOOST_TEST(page.rows.size() == limit);
        auto& last = *page.rows.back().record;
        auto at = q.by == chat::list_query::order::waiting ? *chat::waiting_since(last) : last.last_activity;
        q.after = chat::list_position{to_unix_ms(at), last.phone, last.priority};
    }
    return phones;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_list_pages_newest_first_through_ties) {
    seeded_list seed;
    auto everyone = seed.expected([](auto&) { return true; });
    engine_fixture f(std::move(seed.db));
    BOOST_TEST(everyone.size() == 500u);

    chat::list_query all;
    for (std::size_t limit : {1u, 5u, 12u, 13u, 50u, 200u})
        BOOST_TEST(read_pages(f.engine, all, limit) == everyone, "limit " << limit);

    chat::list_query active;
    active.filter = chat::list_query::only::active;
    BOOST_TEST(read_pages(f.engine, active, 7) == seed.expected([](auto& c) { return c.chat_support_active; }));

    chat::list_query queued;
    queued.filter = chat::list_query::only::queued;
    auto waiting = seed.expected([](auto& c) { return c.queued_at.has_value(); });
    BOOST_TEST(waiting.size() > 20u);
    BOOST_TEST(read_pages(f.engine, queued, 7) == waiting);

    chat::list_query bobs;
    bobs.filter = chat::list_query::only::assigned_to;
    bobs.assignee = "bob";
    BOOST_TEST(read_pages(f.engine, bobs, 7) == seed.expected([](auto& c) { return c.assignee == "bob"; }));

    chat::list_query sevens;  // a search: a test of each conversation's state
    sevens.matches = [](const chat::conversation& c) { return c.phone.back() == '7'; };
    BOOST_TEST(read_pages(f.engine, sevens, 4) == seed.expected([](auto& c) { return c.phone.back() == '7'; }));
}

// By priority: urgent first, each priority newest first, ties by phone,
// through pages that end inside a priority and inside a millisecond.
BOOST_AUTO_TEST_CASE(the_list_pages_by_priority_through_ties) {
    using order = chat::list_query::order;
    seeded_list seed;
    auto everyone = seed.expected([](auto&) { return true; }, order::priority);
    BOOST_TEST(everyone != seed.expected([](auto&) { return true; }));
    engine_fixture f(std::move(seed.db));

    chat::list_query all;
    all.by = order::priority;
    for (std::size_t limit : {1u, 5u, 12u, 13u, 50u, 200u})
        BOOST_TEST(read_pages(f.engine, all, limit) == everyone, "limit " << limit);

    chat::list_query queued = all;
    queued.filter = chat::list_query::only::queued;
    BOOST_TEST(read_pages(f.engine, queued, 7) == seed.expected([](auto& c) { return c.queued_at.has_value(); }, order::priority));

    chat::list_query bobs = all;
    bobs.filter = chat::list_query::only::assigned_to;
    bobs.assignee = "bob";
    BOOST_TEST(read_pages(f.engine, bobs, 7) == seed.expected([](auto& c) { return c.assignee == "bob"; }, order::priority));

    chat::list_query sevens = all;
    sevens.matches = [](const chat::conversation& c) { return c.phone.back() == '7'; };
    BOOST_TEST(read_pages(f.engine, sevens, 4) == seed.expected([](auto& c) { return c.phone.back() == '7'; }, order::priority));
}

// The chats whose user waits for an answer: the longest wait first, ties
// within a millisecond by phone, through pages; or newest activity first.
BOOST_AUTO_TEST_CASE(the_waiting_list_pages_longest_wait_first_through_ties) {
    using order = chat::list_query::order;
    seeded_list seed;
    auto waits = [](const chat::conversation& c) { return chat::waiting_since(c).has_value(); };
    auto longest_first = seed.expected(waits, order::waiting);
    BOOST_TEST(longest_first.size() > 40u);
    BOOST_TEST(longest_first != seed.expected(waits));
    engine_fixture f(std::move(seed.db));

    chat::list_query q;
    q.filter = chat::list_query::only::waiting;
    q.by = order::waiting;
    for (std::size_t limit : {1u, 5u, 7u, 13u, 200u})
        BOOST_TEST(read_pages(f.engine, q, limit) == longest_first, "limit " << limit);
    chat::list_query newest = q;
    newest.by = order::activity;
    BOOST_TEST(read_pages(f.engine, newest, 7) == seed.expected(waits));
    chat::list_query sevens = q;  // a search: a test of each conversation's state
    sevens.matches = [](const chat::conversation& c) { return c.phone.back() == '7'; };
    auto waiting_sevens = seed.expected([&](auto& c) { return waits(c) && c.phone.back() == '7'; }, order::waiting);
    BOOST_TEST(waiting_sevens.size() > 2u);
    BOOST_TEST(read_pages(f.engine, sevens, 2) == waiting_sevens);
    BOOST_TEST(f.engine.counts("bob").waiting == longest_first.size());
}

// The wait starts with the user's `support` or their first message after an
// agent's, and ends with an agent's message; a reaction starts none, and
// neither claiming nor a private note ends one.
BOOST_AUTO_TEST_CASE(a_chat_waits_from_the_users_message_until_an_agent_answers) {
    engine_fixture f;
    chat::agent_ref bob{"bob", "Bob", false};
    auto now = [&] { return f.run(f.engine.find("1555")); };
    auto wait = [&] { return chat::waiting_since(*now()); };
    chat::list_query waiting;
    waiting.filter = chat::list_query::only::waiting;
    waiting.by = chat::list_query::order::waiting;
    auto listed = [&] { return f.engine.listed(waiting).rows.size(); };

    f.say("1555", "hello");
    BOOST_TEST(!wait());  // no chat, no wait
    f.say("1555", "support");
    auto opened = now()->chat_start_time;
    BOOST_TEST((wait() == opened));
    BOOST_TEST(listed() == 1u);
    f.run(f.engine.start_chat("1555", bob));
    f.say("1555", "still there?");
    f.run(f.engine.add_note("1555", bob, "checking the order", ""));
    BOOST_TEST((wait() == opened));  // the first message waits on
    BOOST_TEST(!chat::first_reply_at(*now()));
    auto reply = f.run(f.engine.send("1555", bob, "Here, looking into it", ""));
    BOOST_TEST(!wait());
    BOOST_TEST((chat::first_reply_at(*now()) == reply.at));
    BOOST_TEST(listed() == 0u);
    BOOST_TEST(f.engine.counts("bob").waiting == 0u);
    f.say("1555", "👍", chat::channel::plain, {}, "reaction");
    BOOST_TEST(!wait());
    f.say("1555", "one more thing");
    auto asked = now();
    BOOST_TEST((chat::waiting_since(*asked) == asked->last_activity));
    BOOST_TEST(listed() == 1u);
    BOOST_TEST(f.engine.counts("bob").waiting == 1u);
    auto next = f.run(f.engine.send("1555", bob, "Sure, go on", ""));
    BOOST_TEST(!wait());
    BOOST_TEST((chat::first_reply_at(*now()) == reply.at));  // the first reply stays the first
    // Kept for reports: each wait an answer after the first one ended.
    using wait_span = std::pair<timestamp, timestamp>;
    BOOST_TEST((now()->chat->answered_waits == std::vector<wait_span>{{*chat::waiting_since(*asked), next.at}}));
    f.run(f.engine.end_chat("1555", bob, ""));
    BOOST_TEST(!wait());
    BOOST_TEST(listed() == 0u);
}

// A wait past the team's target is reported once, as chat.sla_missed: the
// first reply's target before an agent has answered, the next reply's
// after; a snoozed chat waits past none; a restart reports nothing again.
BOOST_AUTO_TEST_CASE(a_wait_past_the_reply_target_is_reported_once) {
    test::temp_dir dir;
    chat::agent_ref bob{"bob", "Bob", false};
    chat::reply_targets targets{5, 10};
    auto minutes = [](int n) { return std::chrono::minutes(n); };
    auto missed = [](recording_sink& events) {
        std::lock_guard lock(events.mutex);
        std::vector<boost::json::object> out;
        for (auto& e : events.seen)
            if (e.type == "chat.sla_missed") out.push_back(e.data);
        return out;
    };
    timestamp opened;
    {
        engine_fixture f(store::open_sqlite_store(dir.path().string()));
        auto check = [&](timestamp at) { return f.run(f.engine.check_reply_targets(at)); };
        f.say("1555", "support");
        opened = *chat::waiting_since(*f.run(f.engine.find("1555")));
        BOOST_TEST(check(opened + minutes(60)) == 0u);  // no targets yet
        f.engine.set_reply_policy({targets});
        BOOST_TEST(check(opened + minutes(5) - std::chrono::milliseconds(1)) == 0u);
        BOOST_TEST(check(opened + minutes(5)) == 1u);
        BOOST_TEST(check(opened + minutes(6)) == 0u);  // once a wait
        auto first = missed(f.events);
        BOOST_REQUIRE(first.size() == 1u);
        BOOST_TEST(first[0].at("target") == "first_reply");
        BOOST_TEST(first[0].at("target_minutes") == 5);
        BOOST_TEST(first[0].at("waiting_since") == boost::json::value(to_iso8601(opened)));
        BOOST_TEST(first[0].at("due_at") == boost::json::value(to_iso8601(opened + minutes(5))));
        BOOST_TEST(first[0].at("agent").is_null());  // in the queue

        f.run(f.engine.start_chat("1555", bob));
        f.run(f.engine.send("1555", bob, "Hello", ""));
        BOOST_TEST(check(opened + minutes(60)) == 0u);  // answered: no wait
        f.say("1555", "one more question");
        auto asked = *chat::waiting_since(*f.run(f.engine.find("1555")));
        f.run(f.engine.snooze("1555", bob, asked + minutes(60)));
        BOOST_TEST(check(asked + minutes(30)) == 0u);  // put aside
        f.run(f.engine.snooze("1555", bob, std::nullopt));
        BOOST_TEST(check(asked + minutes(10) - std::chrono::milliseconds(1)) == 0u);
        BOOST_TEST(check(asked + minutes(10)) == 1u);
        auto both = missed(f.events);
        BOOST_REQUIRE(both.size() == 2u);
        BOOST_TEST(both[1].at("target") == "next_reply");
        BOOST_TEST(both[1].at("target_minutes") == 10);
        BOOST_TEST(both[1].at("agent") == "bob");
        BOOST_TEST(f.metrics.get_counter("switchboard_reply_targets_missed_total", "").value() == 2u);
    }
    engine_fixture f(store::open_sqlite_store(dir.path().string()));
    f.engine.set_reply_policy({targets});
    BOOST_TEST(f.run(f.engine.check_reply_targets(opened + minutes(600))) == 0u);
    BOOST_TEST(missed(f.events).empty());
}

// A target only during business hours counts the team's open time alone:
// a wait that begins on a day off is due that many minutes after the next
// opening, where the wall clock would have it due at once.
BOOST_AUTO_TEST_CASE(a_target_only_during_business_hours_waits_for_the_team_to_open) {
    using namespace std::chrono;
    auto day_text = [](timestamp t) { return to_iso8601(t).substr(0, 10); };
    // Open round the clock but today and tomorrow (UTC), whenever this runs.
    auto now = system_clock::now();
    auto today = floor<days>(now);
    chat::engine_options options;
    options.hours = std::make_shared<const chat::business_hours>(chat::business_hours::parse(
        "mon-sun 00:00-24:00", "UTC", day_text(today) + ", " + day_text(today + days(1))));
    engine_fixture f(store::make_memory_store(), std::move(options));
    auto check = [&](timestamp at) { return f.run(f.engine.check_reply_targets(at)); };
    f.say("1556", "support");
    auto asked = *chat::waiting_since(*f.run(f.engine.find("1556")));
    BOOST_REQUIRE(floor<days>(asked) == today);  // a run across midnight UTC would test nothing
    auto due = timestamp(today + days(2) + minutes(5));

    f.engine.set_reply_policy({{5, 10, true}});
    BOOST_TEST(check(asked + hours(1)) == 0u);  // late on the wall clock
    BOOST_TEST(check(due - milliseconds(1)) == 0u);
    BOOST_TEST(check(due) == 1u);
    std::vector<boost::json::object> missed;
    {
        std::lock_guard lock(f.events.mutex);
        for (auto& e : f.events.seen)
            if (e.type == "chat.sla_missed") missed.push_back(e.data);
    }
    BOOST_REQUIRE(missed.size() == 1u);
    BOOST_TEST(missed[0].at("due_at") == boost::json::value(to_iso8601(due)));
    BOOST_TEST(missed[0].at("waiting_since") == boost::json::value(to_iso8601(asked)));

    // The same hours, every minute counted: due five minutes after asking.
    f.say("1557", "support");
    auto other = *chat::waiting_since(*f.run(f.engine.find("1557")));
    f.engine.set_reply_policy({{5, 10, false}});
    BOOST_TEST(check(other + minutes(5) - milliseconds(1)) == 0u);
    BOOST_TEST(check(other + minutes(5)) == 1u);
}

// A chat open past the resolution target is reported once, live or queued,
// snoozed too (it is not resolved); a chat that ended is not, and neither is
// the next chat of the same user before its own time.
BOOST_AUTO_TEST_CASE(a_chat_open_past_the_resolution_target_is_reported_once) {
    using namespace std::chrono;
    test::temp_dir dir;
    chat::agent_ref bob{"bob", "Bob", false};
    chat::reply_targets targets;
    targets.resolution_minutes = 60;
    auto resolutions = [](recording_sink& events) {
        std::lock_guard lock(events.mutex);
        std::vector<boost::json::object> out;
        for (auto& e : events.seen)
            if (e.type == "chat.sla_missed" && e.data.at("target") == "resolution") out.push_back(e.data);
        return out;
    };
    timestamp opened;
    {
        engine_fixture f(store::open_sqlite_store(dir.path().string()));
        auto check = [&](timestamp at) { return f.run(f.engine.check_reply_targets(at)); };
        f.say("1558", "support");  // queued
        f.say("1559", "support");
        opened = f.run(f.engine.find("1558"))->chat->opened_at;
        auto other = f.run(f.engine.find("1559"))->chat->opened_at;
        f.run(f.engine.start_chat("1559", bob));
        f.run(f.engine.send("1559", bob, "Hello", ""));
        f.run(f.engine.snooze("1559", bob, other + hours(5)));
        f.engine.set_reply_policy({targets});
        BOOST_TEST(check(opened + minutes(60) - milliseconds(1)) == 0u);
        BOOST_TEST(check(std::max(opened, other) + minutes(60)) == 2u);
        BOOST_TEST(check(opened + minutes(90)) == 0u);  // once a chat
        auto seen = resolutions(f.events);
        BOOST_REQUIRE(seen.size() == 2u);
        auto& queued = seen[0].at("phone") == "1558" ? seen[0] : seen[1];
        BOOST_TEST(queued.at("target_minutes") == 60);
        BOOST_TEST(queued.at("opened_at") == boost::json::value(to_iso8601(opened)));
        BOOST_TEST(queued.at("due_at") == boost::json::value(to_iso8601(opened + minutes(60))));
        BOOST_TEST(queued.at("waiting_since") == boost::json::value(to_iso8601(opened)));
        BOOST_TEST(queued.at("agent").is_null());
        auto& snoozed = seen[0].at("phone") == "1559" ? seen[0] : seen[1];
        BOOST_TEST(snoozed.at("agent") == "bob");
        BOOST_TEST(snoozed.at("waiting_since").is_null());  // answered

        // Ended, then a new chat: its own hour.
        f.run(f.engine.end_chat("1559", bob, ""));
        BOOST_TEST(check(other + hours(3)) == 0u);
        f.say("1559", "support");
        auto again = f.run(f.engine.find("1559"))->chat->opened_at;
        BOOST_TEST(check(again + minutes(59)) == 0u);
    }
    // Reported before the restart: not again.
    engine_fixture f(store::open_sqlite_store(dir.path().string()));
    f.engine.set_reply_policy({targets});
    BOOST_TEST(f.run(f.engine.check_reply_targets(opened + minutes(600))) == 1u);  // the new chat of 1559 alone
    auto seen = resolutions(f.events);
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].at("phone") == "1559");
}

// A team's own targets hold the chats filed under it, the standard ones
// the rest; a team that sets one target takes the standard's others, and
// a chat moved to another team is held to that team's from then on.
BOOST_AUTO_TEST_CASE(a_teams_own_targets_hold_its_chats) {
    using std::chrono::minutes;
    engine_fixture f(store::make_memory_store());
    auto check = [&](timestamp at) { return f.run(f.engine.check_reply_targets(at)); };
    for (auto phone : {"1571", "1572", "1573"}) f.say(phone, "support");
    chat::agent_ref bob{"bob", "Bob", false};
    f.run(f.engine.set_team("1571", bob, "vip"));
    f.run(f.engine.set_team("1572", bob, "billing"));  // a team without targets of its own
    auto since = *chat::waiting_since(*f.run(f.engine.find("1573")));
    chat::reply_policy policy{{30, 60}, {}};
    policy.by_team["vip"] = {2, 60, false, 120};  // its first reply sooner, and a resolution target
    f.engine.set_reply_policy(policy);
    auto reported = [&] {
        std::lock_guard lock(f.events.mutex);
        std::vector<std::string> out;
        for (auto& e : f.events.seen)
            if (e.type == "chat.sla_missed")
                out.push_back(std::string(e.data.at("phone").as_string()) + " " +
                              std::string(e.data.at("target").as_string()) + " " +
                              std::to_string(e.data.at("target_minutes").as_int64()));
        return out;
    };
    BOOST_TEST(check(since + minutes(5)) == 1u);
    BOOST_TEST(reported() == std::vector<std::string>{"1571 first_reply 2"});
    // 1573 moves to vip: held to its two minutes now; 1572 still to the standard's thirty.
    f.run(f.engine.set_team("1573", bob, "vip"));
    BOOST_TEST(check(since + minutes(6)) == 1u);
    BOOST_TEST(check(since + minutes(31)) == 1u);
    // 1571 answered: no longer waiting, still open.
    f.run(f.engine.start_chat("1571", bob));
    f.run(f.engine.send("1571", bob, "Hello", ""));
    BOOST_TEST(check(since + minutes(121)) == 2u);  // vip's resolution target; the standard has none
    auto all = reported();
    std::sort(all.begin() + 3, all.end());  // the two of one check, in either order
    BOOST_TEST(all == (std::vector<std::string>{"1571 first_reply 2", "1573 first_reply 2", "1572 first_reply 30",
                                                "1571 resolution 120", "1573 resolution 120"}));
}

// A full disk refuses every report of a missed target: one line says so
// for all of them, not one a chat each round, and none is counted as done.
BOOST_AUTO_TEST_CASE(reports_a_full_disk_refuses_are_logged_once_for_all) {
    auto owned = std::make_unique<refusing_store>(store::make_memory_store());
    auto& disk = *owned;
    engine_fixture f(std::move(owned));
    constexpr int chats = 20;
    for (int i = 0; i < chats; ++i) f.say("1555" + std::to_string(i), "support");
    f.engine.set_reply_policy({{1, 1}});
    disk.refusing = true;
    test::captured_stderr log;
    auto late = std::chrono::system_clock::now() + std::chrono::minutes(2);
    BOOST_TEST(f.run(f.engine.check_reply_targets(late)) == 0u);
    BOOST_TEST(f.run(f.engine.check_reply_targets(late)) == 0u);  // tried again, and refused again
    BOOST_TEST(log.count("reports of missed reply targets failed") == 1u);
    BOOST_TEST(f.metrics.get_counter("switchboard_reply_targets_missed_total", "").value() == 0u);
    // The disk has room again: each wait is reported, once.
    disk.refusing = false;
    BOOST_TEST(f.run(f.engine.check_reply_targets(late)) == static_cast<std::size_t>(chats));
    BOOST_TEST(log.count("reports of missed reply targets succeed again") == 0u);  // within the period: one problem
}

// An agent opens a conversation with a user who never wrote: one live chat
// of theirs, with its first message. The actor itself refuses a user it
// knows (the route asks first, but a user may write meanwhile), and a step
// the disk refused leaves no conversation behind.
BOOST_AUTO_TEST_CASE(an_agent_opens_a_conversation_only_with_a_user_it_does_not_know) {
    auto owned = std::make_unique<refusing_store>(store::make_memory_store());
    auto& disk = *owned;
    engine_fixture f(std::move(owned));
    auto first_contact = [](std::string text) {
        chat::first_contact first;
        first.name = "Ana";
        first.message = std::move(text);
        first.client_id = "n-1";
        return first;
    };
    chat::agent_ref lea{"lea", "Lea", false};

    disk.refusing = true;
    BOOST_CHECK_THROW(f.run(f.engine.open_conversation("15550100", lea, first_contact("Hello"))), storage::unavailable);
    BOOST_TEST(!f.run(f.engine.find("15550100")));
    BOOST_TEST(f.events.types().empty());
    disk.refusing = false;

    auto opened = f.run(f.engine.open_conversation("15550100", lea, first_contact("Your order shipped")));
    BOOST_TEST((opened.record.state == chat::conv_state::chat_support_active));
    BOOST_TEST(opened.record.assignee == "lea");
    BOOST_TEST(opened.record.name == "Ana");
    BOOST_TEST(opened.record.registered);
    BOOST_TEST(opened.record.chat->opened_by == "agent");
    BOOST_TEST(opened.record.chat->first_seq == 1u);
    BOOST_TEST(opened.first.seq == 1u);
    BOOST_TEST(opened.first.text == "Your order shipped");
    BOOST_TEST(opened.first.agent == "lea");
    BOOST_TEST(opened.first.client_id == "n-1");
    std::vector<std::string> expected{"chat.started", "chat.assigned", "message.created", "conversation.updated"};
    auto types = f.events.types();
    BOOST_TEST(types == expected, boost::test_tools::per_element());
    BOOST_TEST(f.engine.conversation_count() == 1u);

    auto refused_as_known = [&](const std::string& phone) {
        try {
            f.run(f.engine.open_conversation(phone, lea, first_contact("Hello again")));
        } catch (const chat::command_error& e) {
            return e.what_kind() == chat::command_error::kind::exists;
        }
        return false;
    };
    BOOST_TEST(refused_as_known("15550100"));
    f.say("15550101", "hi");
    BOOST_TEST(refused_as_known("15550101"));
    auto user = f.run(f.engine.find("15550101"));
    BOOST_TEST((user->state == chat::conv_state::idle));
    BOOST_TEST(user->last_seq == 2u);  // their hi and the menu
    BOOST_TEST(f.run(f.engine.find("15550100"))->last_seq == 1u);
}

BOOST_AUTO_TEST_CASE(the_list_follows_each_step) {
    seeded_list seed;
    auto oldest = seed.expected([](auto& c) { return !c.chat_support_active; }).back();
    auto bobs_chats = seed.expected([](auto& c) { return c.assignee == "bob"; }).size();
    auto quiet = seed.expected([&](auto& c) { return c.priority == chat::conv_priority::none && c.phone != oldest; }).back();
    auto urgent = seed.expected([](auto& c) { return c.priority == chat::conv_priority::urgent; }).size();
    engine_fixture f(std::move(seed.db));
    auto first = [&](chat::list_query q) {
        q.limit = 1;
        auto page = f.engine.listed(q);
        return page.rows.empty() ? std::string() : page.rows.front().record->phone;
    };
    chat::list_query all, queued, bobs;
    queued.filter = chat::list_query::only::queued;
    bobs.filter = chat::list_query::only::assigned_to;
    bobs.assignee = "bob";

    // A message is activity: the oldest conversation comes first.
    f.say(oldest, "support");
    BOOST_TEST(first(all) == oldest);
    BOOST_TEST(first(queued) == oldest);
    // Claimed by bob, it leaves the queue and is his.
    f.run(f.engine.start_chat(oldest, {"bob", "Bob", false}));
    BOOST_TEST(first(bobs) == oldest);
    BOOST_TEST(first(queued) != oldest);
    // Ended, it is nobody's; and the idle sweep and routing count it no more.
    f.run(f.engine.end_chat(oldest, {"bob", "Bob", false}, ""));
    BOOST_TEST(first(bobs) != oldest);
    BOOST_TEST(first(all) == oldest);
    BOOST_TEST(f.engine.open_chats_by_agent()["bob"] == bobs_chats);

    // Marked urgent, the oldest of those with no priority, last by priority,
    // joins the urgent ones as soon as it is marked; marked none again, it
    // goes back.
    chat::list_query by_priority;
    by_priority.by = chat::list_query::order::priority;
    chat::agent_ref bob{"bob", "Bob", false};
    auto place_of_quiet = [&] {
        auto phones = read_pages(f.engine, by_priority, 50);
        return static_cast<std::size_t>(std::find(phones.begin(), phones.end(), quiet) - phones.begin());
    };
    BOOST_TEST(place_of_quiet() == 499u);
    f.run(f.engine.set_priority(quiet, bob, chat::conv_priority::urgent));
    BOOST_TEST(place_of_quiet() <= urgent);
    BOOST_TEST(first(all) != quiet);  // marking is no activity
    f.run(f.engine.set_priority(quiet, bob, chat::conv_priority::none));
    BOOST_TEST(place_of_quiet() == 499u);
}

namespace {
// Runs `ioc` until `disk` holds a write, calls `stop`, lets the write go and
// runs on: true when nothing is left to run within 5 s (no wait was begun
// after the stop).
bool nothing_waits_when_stopped_mid_write(net::io_context& ioc, refusing_store& disk, const std::function<void()>& stop) {
    for (int i = 0; i < 1000 && !disk.holds_one(); ++i) ioc.run_one_for(std::chrono::seconds(1));
    BOOST_REQUIRE(disk.holds_one());
    stop();
    net::post(ioc, [&] { disk.let_go(); });
    ioc.run_for(std::chrono::seconds(5));
    return ioc.stopped();
}
}  // namespace

// An outbox told to stop while it saves a retry's attempt count starts no
// backoff after it: a wait started then, with nothing left to end it, held
// the server's exit up for as long as the backoff (a minute at most).
BOOST_AUTO_TEST_CASE(an_outbox_stopped_while_it_saves_a_retry_waits_out_no_backoff) {
    test::receiver graph({429, "{}", {}});  // slow down: retried after the first backoff
    auto owned = std::make_unique<refusing_store>(store::make_memory_store());
    auto& disk = *owned;
    net::io_context ioc;
    metrics::registry metrics;
    channels::outbox_options o;
    o.wa_api_base = graph.url();
    o.first_retry = std::chrono::seconds(60);
    o.max_backoff = std::chrono::minutes(2);
    channels::outbox outbox(ioc, disk, metrics, o);
    outbox.on_outcome([](channels::delivery_outcome) -> net::awaitable<void> { co_return; });
    disk.holding = true;
    outbox.enqueue({{"msg_1", "15550001", 1, chat::channel::whatsapp, "106540352242922", "hello", 0,
                     std::chrono::system_clock::now()}});
    // Held once the 429 is answered and its attempt count is being saved.
    BOOST_TEST(nothing_waits_when_stopped_mid_write(ioc, disk, [&] { outbox.stop(); }));  // no backoff
    BOOST_TEST(graph.requests().size() == 1u);
}

// The event webhook told to stop while it notes, idle, where it got to
// waits for no more events after it: that wait, begun after stop() had
// ended the one there was, never ended, and held the server's exit up.
BOOST_AUTO_TEST_CASE(an_event_webhook_stopped_while_it_notes_its_place_waits_no_more) {
    test::receiver endpoint({200, "{}", {}});
    auto owned = std::make_unique<refusing_store>(store::make_memory_store());
    auto& disk = *owned;
    net::io_context ioc;
    metrics::registry metrics;
    channels::event_webhook_options o;
    o.url = endpoint.url() + "/events";
    o.save_every = std::chrono::hours(1);  // noted when idle, not while busy
    channels::event_webhook events(ioc, disk, metrics, o);
    events.start();
    ioc.poll();  // its place for a new URL noted: nothing yet
    storage::write_batch b;
    b.events_put.push_back({1, std::chrono::system_clock::now(),
                            std::make_shared<const std::string>(R"({"type":"chat.started","seq":1})")});
    disk.async_write(std::move(b), [](std::exception_ptr e) { BOOST_REQUIRE(!e); });  // the memory store's is done at once
    disk.holding = true;
    events.stored(1);
    // Held once the event is taken and, idle again, its place is being noted.
    BOOST_TEST(nothing_waits_when_stopped_mid_write(ioc, disk, [&] { events.stop(); }));
    BOOST_TEST(endpoint.requests().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
