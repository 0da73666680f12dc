// Scheduled replies against the real server: the agent who has a chat
// writes a reply to go later; it goes at its time as theirs, to the user's
// channel; one that cannot go then stays, failed, saying why; they outlive
// a restart, and go with the user's erasure. Bad input changes nothing.
#include "api_session.hpp"
#include "http_client.hpp"
#include "receiver.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include "switchboard/core/time.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string iso_in(std::chrono::milliseconds from_now) {
    return switchboard::to_iso8601(std::chrono::system_clock::now() + from_now);
}

std::string later(const std::string& text, std::chrono::milliseconds from_now) {
    return R"({"text":")" + text + R"(","send_at":")" + iso_in(from_now) + "\"}";
}

// The conversation's list as the next scheduled.updated about it says it.
json::array told(ws_client& ws, const std::string& phone) {
    for (;;) {
        auto e = ws.next_of_type("scheduled.updated");
        if (e.at("conversation").as_string() == phone) return e.at("data").at("scheduled").as_array();
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scheduled_replies)

BOOST_AUTO_TEST_CASE(an_agents_reply_goes_at_its_time_as_theirs) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    user_says(p, "8901", "support");
    bob.json("POST", "/conversations/8901/chat-support/start");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");

    // Refused: bad input, and a reply to a chat the caller does not have.
    for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"text":"Hi"})", "send_at"},
             {R"({"text":"Hi","send_at":"tomorrow"})", "send_at"},
             {R"({"text":"Hi","send_at":")" + iso_in(-1s) + "\"}", "send_at"},
             {R"({"text":"Hi","send_at":")" + iso_in(32 * 24h) + "\"}", "send_at"},
             {R"({"text":"  ","send_at":")" + iso_in(1h) + "\"}", "text"},
             {R"({"send_at":")" + iso_in(1h) + "\"}", "text"}})
        BOOST_TEST(refused_field(bob.call("POST", "/conversations/8901/scheduled", body)) == field, body);
    refused(admin.call("POST", "/conversations/8901/scheduled", later("Hi", 1h)), 409, "conflict",
            "the chat is assigned to bob");
    BOOST_TEST(bob.call("POST", "/conversations/8999/scheduled", later("Hi", 1h)).status == 404u);
    BOOST_TEST(admin.json("GET", "/conversations/8901/scheduled") == json::parse(R"({"scheduled":[]})"));

    auto made = bob.json("POST", "/conversations/8901/scheduled", later(" Still there? ", 3s), 201);  // room for the checks before it
    BOOST_TEST(made.at("text") == "Still there?");
    BOOST_TEST(made.at("by") == "bob");
    BOOST_TEST(made.at("status") == "scheduled");
    auto id = std::string(made.at("id").as_string());
    auto first = told(ws, "8901");
    BOOST_REQUIRE(first.size() == 1u);
    BOOST_TEST(first[0].at("id") == made.at("id"));
    BOOST_TEST(admin.json("GET", "/conversations/8901/scheduled").at("scheduled").as_array().size() == 1u);
    // The user has seen none of it yet.
    BOOST_TEST(outbound.requests().size() == 1u);  // the bot's "now chatting with"

    // At its time: sent as bob's reply, and gone from the list.
    outbound.wait_for_text("8901", "Still there?");
    BOOST_TEST(told(ws, "8901").empty());
    auto history = admin.json("GET", "/conversations/8901/messages?limit=1").at("messages").as_array();
    BOOST_TEST(history.back().at("text") == "Still there?");
    BOOST_TEST(history.back().at("agent") == "bob");
    BOOST_TEST(admin.json("GET", "/conversations/8901/scheduled") == json::parse(R"({"scheduled":[]})"));
    BOOST_TEST(bob.call("DELETE", "/conversations/8901/scheduled/" + id).status == 404u);
}

BOOST_AUTO_TEST_CASE(one_that_cannot_go_stays_failed_saying_why_until_deleted) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto carol = agent_client(admin, "carol");
    user_says(p, "8902", "support");
    bob.json("POST", "/conversations/8902/chat-support/start");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    auto id = std::string(bob.json("POST", "/conversations/8902/scheduled", later("Any news?", 3s), 201).at("id").as_string());
    told(ws, "8902");
    bob.json("POST", "/conversations/8902/chat-support/end", "{}");

    auto failed = told(ws, "8902");
    BOOST_REQUIRE(failed.size() == 1u);
    BOOST_TEST(failed[0].at("status") == "failed");
    BOOST_TEST(failed[0].at("error") == "no chat is active with 8902");
    for (auto& r : outbound.requests()) BOOST_TEST(r.body.find("Any news?") == std::string::npos);

    refused(carol.call("DELETE", "/conversations/8902/scheduled/" + id), 403, "forbidden", "only bob");
    BOOST_TEST(carol.call("DELETE", "/conversations/8901/scheduled/" + id).status == 404u);  // another's path
    BOOST_TEST(bob.json("DELETE", "/conversations/8902/scheduled/" + id) == json::parse(R"({"deleted":")" + id + "\"}"));
    BOOST_TEST(told(ws, "8902").empty());
    // An admin deletes anyone's.
    bob.json("POST", "/conversations/8902/chat-support/start");
    auto other = std::string(bob.json("POST", "/conversations/8902/scheduled", later("x", 1h), 201).at("id").as_string());
    BOOST_TEST(admin.call("DELETE", "/conversations/8902/scheduled/" + other).status == 200u);
    // Ten a conversation at most.
    for (int i = 0; i < 10; ++i) bob.json("POST", "/conversations/8902/scheduled", later("x", 1h), 201);
    refused(bob.call("POST", "/conversations/8902/scheduled", later("x", 1h)), 409, "conflict", "at most 10");
    BOOST_TEST(admin.json("GET", "/conversations/8902/scheduled").at("scheduled").as_array().size() == 10u);
}

BOOST_AUTO_TEST_CASE(they_outlive_a_restart_and_go_with_the_users_erasure) {
    temp_dir dir;
    receiver outbound;
    auto args = kept_in(dir.path());
    args.insert(args.end(), {"--outbound-url", outbound.url()});
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        user_says(p, "8903", "support");
        user_says(p, "8904", "support");
        for (auto phone : {"8903", "8904"}) admin.json("POST", std::string("/conversations/") + phone + "/chat-support/start");
        admin.json("POST", "/conversations/8903/scheduled", later("After the restart", 2500ms), 201);
        admin.json("POST", "/conversations/8904/scheduled", later("Never", 1h), 201);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    BOOST_TEST(admin.json("GET", "/conversations/8904/scheduled").at("scheduled").as_array().size() == 1u);
    outbound.wait_for_text("8903", "After the restart");
    admin.json("DELETE", "/conversations/8904");
    BOOST_TEST(admin.json("GET", "/conversations/8904/scheduled") == json::parse(R"({"scheduled":[]})"));
    // Nor back after another restart.
    server.send_signal(SIGTERM);
    server.wait_exit(5s);
    server_process again(args);
    BOOST_TEST(known_admin(again.port()).json("GET", "/conversations/8904/scheduled") ==
               json::parse(R"({"scheduled":[]})"));
}

// What a start settles: a reply the server stopped in the middle of sending
// is not sent twice, and one kept from before its conversation began (a
// backup's, of a user erased since who wrote again) is not sent to the new one.
BOOST_AUTO_TEST_CASE(a_start_fails_a_reply_caught_sending_and_drops_one_older_than_its_conversation) {
    temp_dir dir;
    receiver outbound;
    auto args = kept_in(dir.path());
    args.insert(args.end(), {"--outbound-url", outbound.url()});
    std::string caught, older, kept;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        for (auto phone : {"8905", "8906", "8907"}) {
            user_says(p, phone, "support");
            admin.json("POST", std::string("/conversations/") + phone + "/chat-support/start");
        }
        caught = admin.json("POST", "/conversations/8905/scheduled", later("Caught", 1h), 201).at("id").as_string();
        older = admin.json("POST", "/conversations/8906/scheduled", later("Older", 1h), 201).at("id").as_string();
        kept = admin.json("POST", "/conversations/8907/scheduled", later("Kept", 1h), 201).at("id").as_string();
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    // As a stop between its "sending" and its send left it; as a backup put back keeps one of the number's last
    // user; and all three due by the next start.
    auto with = [](const std::string& id, const std::string& path, const std::string& value) {
        return "UPDATE settings SET value = (SELECT json_group_array(CASE WHEN json_extract(j.value, '$.id') = '" + id +
               "' THEN json_set(j.value, '" + path + "', '" + value +
               "') ELSE json(j.value) END) FROM json_each(settings.value) j) WHERE key = 'scheduled_replies';";
    };
    sqlite_script(dir.path() / "switchboard.db",
                  with(caught, "$.status", "sending") + with(older, "$.created_at", "2001-01-01T00:00:00.000Z") +
                      with(caught, "$.send_at", iso_in(-1min)) + with(older, "$.send_at", iso_in(-1min)) +
                      with(kept, "$.send_at", iso_in(-1min)));

    server_process server(args);
    auto admin = known_admin(server.port());
    outbound.wait_for_text("8907", "Kept");  // the runner's first send: the start's settling is done
    auto failed = admin.json("GET", "/conversations/8905/scheduled").at("scheduled").as_array();
    BOOST_TEST_REQUIRE(failed.size() == 1u);
    BOOST_TEST(failed.at(0).at("status").as_string() == "failed");
    BOOST_TEST(std::string(failed.at(0).at("error").as_string()).find("history says whether it went") != std::string::npos);
    BOOST_TEST(admin.json("GET", "/conversations/8906/scheduled") == json::parse(R"({"scheduled":[]})"));
    // Neither was sent: the receiver has the third and the claims' notices alone.
    for (auto& r : outbound.requests())
        BOOST_TEST((r.body.find("Caught") == std::string::npos && r.body.find("Older") == std::string::npos), r.body);
}

BOOST_AUTO_TEST_SUITE_END()
