// DELETE /conversations/{phone} against the real server: an admin erases a
// user and all that is kept of them, for good, across a restart; the queue
// lets go of them and their messages not sent yet are dropped; a user who
// writes again is new.
#include "api_session.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <iterator>

using namespace switchboard::test;
namespace json = boost::json;

namespace {

std::vector<std::string> queued_phones(const api_client& agent) {
    std::vector<std::string> phones;
    auto queue = agent.json("GET", "/queue");
    for (auto& e : queue.at("queue").as_array()) phones.push_back(std::string(e.at("phone").as_string()));
    return phones;
}

bool mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

std::vector<json::object> resumed_from_start(unsigned short port, const api_client& agent) {
    return switchboard::test::resumed_from_start(port, agent.token);
}

// `now` is the log `before` was, but each event of `phone`'s conversation
// up to its erasure a placeholder of its seq and time alone.
void erased_from(const std::vector<json::object>& before, const std::vector<json::object>& now, const std::string& phone) {
    BOOST_TEST_REQUIRE(now.size() >= before.size());
    std::size_t erased = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        BOOST_TEST(now[i].at("seq") == before[i].at("seq"));
        if (before[i].at("conversation").as_string() != phone) {
            BOOST_TEST(json::serialize(now[i]) == json::serialize(before[i]));
            continue;
        }
        ++erased;
        auto placeholder = json::object{{"seq", before[i].at("seq")}, {"type", "erased"}, {"conversation", ""},
                                        {"data", json::object{}}, {"at", before[i].at("at")}};
        BOOST_TEST(json::serialize(now[i]) == json::serialize(placeholder));
    }
    BOOST_TEST(erased > 5u);
    for (auto& e : now) BOOST_TEST(!mentions(json::serialize(e), "4242"), json::serialize(e));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conversation_delete)

BOOST_AUTO_TEST_CASE(an_admin_erases_a_user_and_all_that_is_kept_of_them) {
    temp_dir data;
    receiver outbound;
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", outbound.url()});
    std::string had_messages;
    std::vector<json::object> log_before;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto lea = agent_client(admin, "lea");
        // Ana's whole story: a chat, a note that mentions lea, a rating, and a chat waiting.
        user_says(p, "15550001", "my order 4242 is late", "Ana");
        user_says(p, "15550001", "support");
        admin.json("POST", "/conversations/15550001/chat-support/start");
        admin.json("POST", "/conversations/15550001/chat-support/send", R"({"text":"Looking into 4242"})", 201);
        auto note = admin.json("POST", "/conversations/15550001/notes", R"({"text":"@lea see order 4242"})", 201);
        admin.json("PATCH", "/conversations/15550001/notes/" + json::serialize(note.at("seq")),
                   R"({"text":"@lea see order 4242 first"})");  // edited: a row of message_edits too
        admin.json("POST", "/conversations/15550001/chat-support/end");
        user_says(p, "15550001", "5");
        user_says(p, "15550001", "support");
        user_says(p, "15550002", "support");
        BOOST_TEST((queued_phones(admin) == std::vector<std::string>{"15550001", "15550002"}));
        // Mentioned, lea follows the conversation: the mention and Ana's two messages since.
        BOOST_TEST(lea.json("GET", "/notifications").at("notifications").as_array().size() == 3u);
        auto before = admin.json("GET", "/conversations/15550001");
        had_messages = json::serialize(before.at("messages").as_array().back().at("seq"));
        ws_client ws(p, "/ws?token=" + lea.token);
        ws.next_of_type("hello");
        log_before = resumed_from_start(p, admin);
        BOOST_TEST(mentions(json::serialize(json::value_from(log_before)), "order 4242"));

        BOOST_TEST(refusal_message(lea.call("DELETE", "/conversations/15550001"), 403).size() > 0u);
        BOOST_TEST(mentions(refusal_message(admin.call("DELETE", "/conversations/15559999"), 404), "15559999"));
        BOOST_TEST(admin.json("GET", "/conversations/15550001").at("name").as_string() == "Ana");  // nothing changed

        auto deleted = admin.json("DELETE", "/conversations/15550001");
        BOOST_TEST(deleted.at("deleted").as_string() == "15550001");
        BOOST_TEST(json::serialize(deleted.at("messages")) == had_messages);
        auto told = ws.next_of_type("conversation.deleted");
        BOOST_TEST(told.at("data").at("phone").as_string() == "15550001");
        BOOST_TEST(told.at("data").at("by").as_string() == "admin");

        BOOST_TEST(mentions(refusal_message(admin.call("GET", "/conversations/15550001"), 404), "15550001"));
        BOOST_TEST(admin.call("DELETE", "/conversations/15550001").status == 404u);  // once
        BOOST_TEST(admin.call("POST", "/conversations/15550001/notes", R"({"text":"x"})").status == 404u);
        auto listed = admin.json("GET", "/conversations");
        BOOST_TEST(json::serialize(listed.at("conversations").as_array().at(0).at("phone")) == R"("15550002")");
        BOOST_TEST(listed.at("conversations").as_array().size() == 1u);
        BOOST_TEST(listed.at("counts").at("all").as_int64() == 1);
        BOOST_TEST(listed.at("counts").at("queued").as_int64() == 1);
        // The chat behind moves up to the head of the queue.
        BOOST_TEST((queued_phones(admin) == std::vector<std::string>{"15550002"}));
        BOOST_TEST(admin.json("GET", "/queue").at("queue").at(0).at("position").as_int64() == 1);
        BOOST_TEST(admin.json("GET", "/conversations?q=4242").at("conversations").as_array().empty());
        BOOST_TEST(lea.json("GET", "/notifications").at("notifications").as_array().empty());
        BOOST_TEST(admin.json("GET", "/reports/csat").at("responses").as_array().empty());
        auto exported = admin.call("GET", "/export?format=ndjson").body;
        BOOST_TEST(!mentions(exported, "15550001"), exported);
        BOOST_TEST(mentions(exported, "15550002"), exported);
        auto audit = admin.json("GET", "/audit-log").at("entries").as_array().at(0);
        BOOST_TEST(audit.at("action").as_string() == "conversation.deleted");
        BOOST_TEST(audit.at("target").as_string() == "15550001");
        BOOST_TEST(json::serialize(audit.at("details").at("messages")) == had_messages);
        // The events consoles resume from and the event webhook reads keep its place, not its words.
        erased_from(log_before, resumed_from_start(p, admin), "15550001");
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    auto db = data.path() / "switchboard.db";
    for (const char* table : {"conversations", "messages", "chats", "outbox", "message_edits"})
        BOOST_TEST(sqlite_value(db, std::string("SELECT count(*) FROM ") + table + " WHERE phone = '15550001'") == "0",
                   table);
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM ratings") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM notifications WHERE conversation = '15550001'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM messages WHERE text LIKE '%4242%'") == "0");
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM event_erasures") == "0");  // the stored log's done
    // Not in the files' bytes either (secure_delete zeroes what is deleted and rewritten).
    for (const char* file : {"switchboard.db", "search.db"}) {
        std::ifstream in(data.path() / file, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        BOOST_TEST(bytes.size() > 0u, file);
        BOOST_TEST(!mentions(bytes, "order 4242"), file);
    }

    server_process server(args);
    auto p = server.port();
    auto admin = known_admin(p);
    BOOST_TEST(admin.call("GET", "/conversations/15550001").status == 404u);
    erased_from(log_before, resumed_from_start(p, admin), "15550001");  // from the stored log: the ring is new
    // Ana writes again: a new user, who starts at the first message.
    user_says(p, "15550001", "hello");
    auto anew = admin.json("GET", "/conversations/15550001");
    BOOST_TEST(anew.at("name").as_string() == "");
    BOOST_TEST(anew.at("state").as_string() == "IDLE");
    auto& messages = anew.at("messages").as_array();
    BOOST_TEST_REQUIRE(messages.size() == 2u);  // theirs and the bot's menu
    BOOST_TEST(messages[0].at("seq").as_int64() == 1);
    BOOST_TEST(messages[0].at("text").as_string() == "hello");
    BOOST_TEST(admin.json("GET", "/conversations?q=4242").at("conversations").as_array().empty());
    BOOST_TEST(admin.json("GET", "/conversations/15550001/chats").at("chats").as_array().empty());
}

// A chat an agent has: it stops counting against them; the messages that
// wait for the user's endpoint (down) are dropped, in memory and in the store.
BOOST_AUTO_TEST_CASE(an_agents_chat_and_the_messages_waiting_to_go_are_let_go) {
    temp_dir data;
    receiver down({503, "down for maintenance", {}});
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", down.url()});
    server_process server(args);
    auto p = server.port();
    auto admin = known_admin(p);
    auto lea = agent_client(admin, "lea");
    user_says(p, "15550003", "support");
    lea.json("POST", "/conversations/15550003/chat-support/start");  // "You're now chatting with lea" waits
    lea.json("POST", "/conversations/15550003/chat-support/send", R"({"text":"Hi"})", 201);
    down.wait_for(2);  // tried, and tried again
    BOOST_TEST(read_metric(p, "switchboard_outbox_pending") == 2.0);
    auto open_chats = [&] {
        auto agents = admin.json("GET", "/agents");
        for (auto& a : agents.at("agents").as_array())
            if (a.at("username").as_string() == "lea") return a.at("open_chats").as_int64();
        return std::int64_t{-1};
    };
    BOOST_TEST(open_chats() == 1);

    admin.json("DELETE", "/conversations/15550003");
    BOOST_TEST(open_chats() == 0);
    wait_for_metric_at_most(p, "switchboard_outbox_pending", 0);
    auto db = data.path() / "switchboard.db";
    BOOST_TEST(sqlite_value(db, "SELECT count(*) FROM outbox") == "0");
    BOOST_TEST(lea.call("POST", "/conversations/15550003/chat-support/send", R"({"text":"Still there?"})").status == 404u);
}

// Chatwoot's bulk deletion: an admin erases the users picked in the list in
// one request, each as DELETE /conversations/{phone} would (audited, told to
// every console); one there is none of fails alone. Only admins; no macro.
BOOST_AUTO_TEST_CASE(an_admin_erases_the_users_picked_in_one_bulk_action) {
    temp_dir data;
    server_process server(kept_in(data.path()));
    auto p = server.port();
    auto admin = known_admin(p);
    auto lea = agent_client(admin, "lea");
    for (auto phone : {"15550011", "15550012", "15550013"}) user_says(p, phone, "hello");
    user_says(p, "15550012", "support");
    ws_client ws(p, "/ws?token=" + lea.token);
    ws.next_of_type("hello");

    const std::string picked = R"({"action":"delete","phones":["15550011","15550019","15550012"]})";
    BOOST_TEST(mentions(refusal_message(lea.call("POST", "/conversations/bulk", picked), 403), "admin"));
    BOOST_TEST(admin.call("POST", "/macros", R"({"name":"x","actions":[{"action":"delete"}]})").status == 400u);
    BOOST_TEST(admin.json("GET", "/conversations").at("counts").at("all").as_int64() == 3);  // nothing changed

    auto bulk = admin.json("POST", "/conversations/bulk", picked);
    BOOST_TEST(bulk.at("succeeded").as_int64() == 2);
    BOOST_TEST(bulk.at("failed").as_int64() == 1);
    auto& results = bulk.at("results").as_array();
    BOOST_TEST_REQUIRE(results.size() == 3u);
    BOOST_TEST(results[0].at("status").as_int64() == 200);
    BOOST_TEST(results[0].at("deleted").as_string() == "15550011");
    BOOST_TEST(results[0].at("messages").as_int64() == 2);  // hers and the bot's menu
    BOOST_TEST(results[1].at("status").as_int64() == 404);
    BOOST_TEST(results[1].at("error").at("code").as_string() == "not_found");
    BOOST_TEST(results[2].at("deleted").as_string() == "15550012");
    BOOST_TEST(results[2].at("messages").as_int64() == 4);
    BOOST_TEST(ws.next_of_type("conversation.deleted").at("data").at("phone").as_string() == "15550011");
    BOOST_TEST(ws.next_of_type("conversation.deleted").at("data").at("phone").as_string() == "15550012");

    auto listed = admin.json("GET", "/conversations");
    BOOST_TEST(listed.at("counts").at("all").as_int64() == 1);
    BOOST_TEST(listed.at("counts").at("queued").as_int64() == 0);
    BOOST_TEST(listed.at("conversations").at(0).at("phone").as_string() == "15550013");
    auto audit = admin.json("GET", "/audit-log").at("entries").as_array();
    BOOST_TEST_REQUIRE(audit.size() >= 2u);
    BOOST_TEST(audit[0].at("target").as_string() == "15550012");
    BOOST_TEST(audit[1].at("target").as_string() == "15550011");
    BOOST_TEST(audit[1].at("action").as_string() == "conversation.deleted");
    BOOST_TEST(sqlite_value(data.path() / "switchboard.db", "SELECT count(*) FROM messages") == "2");
}

BOOST_AUTO_TEST_SUITE_END()
