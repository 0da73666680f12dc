// A conversation's followers against the real server: who may follow it,
// whom a user's message notifies (not the agent who has the chat, nor a
// deactivated one), a mention making a follower, the bound, bad input, and
// what a restart keeps.
#include "api_session.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <csignal>
#include <optional>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// The user's messages the agent was told of, newest first.
std::vector<std::string> told_of(const api_client& agent) {
    std::vector<std::string> out;
    auto page = agent.json("GET", "/notifications");  // named: a range-for over its member would outlive it
    for (auto& n : page.at("notifications").as_array())
        if (n.at("type") == "message") out.emplace_back(n.at("text").as_string());
    return out;
}

json::value participants_of(const api_client& agent, const std::string& phone) {
    return agent.json("GET", "/conversations/" + phone).at("participants");
}

using names = std::vector<std::string>;

// The phones GET /conversations?filter=following lists for the agent
// (sorted: two written to in one millisecond may come either way), and its count.
std::pair<names, std::int64_t> following(const api_client& agent, const std::string& query = {}) {
    auto page = agent.json("GET", "/conversations?filter=following" + query);
    names phones;
    for (auto& c : page.at("conversations").as_array()) phones.emplace_back(c.at("phone").as_string());
    std::sort(phones.begin(), phones.end());
    return {phones, page.at("counts").at("following").as_int64()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(participants)

BOOST_AUTO_TEST_CASE(followers_hear_of_the_users_messages_while_someone_else_has_the_chat) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        auto carol = agent_client(admin, "carol");
        auto dave = agent_client(admin, "dave");
        ws_client bob_ws(p, "/ws?token=" + bob.token);
        ws_client carol_ws(p, "/ws?token=" + carol.token);
        bob_ws.next_of_type("hello");
        carol_ws.next_of_type("hello");
        user_says(p, "5401", "hello", "Ann");

        // bob follows it himself; every agent sees it.
        BOOST_TEST(bob.json("POST", "/conversations/5401/participants").at("participants") == json::array{"bob"});
        auto updated = carol_ws.next_of_type("conversation.updated");
        if (updated.at("data").at("participants").as_array().empty())  // the user's first message's
            updated = carol_ws.next_of_type("conversation.updated");
        BOOST_TEST(updated.at("data").at("participants") == json::array{"bob"});

        // Talking to the bot, asking for support, waiting in the queue.
        user_says(p, "5401", "my order is late");
        auto pushed = bob_ws.next_of_type("notification.created");
        auto n = pushed.at("data").at("notification");
        BOOST_TEST(n.at("type") == "message");
        BOOST_TEST(n.at("conversation") == "5401");
        BOOST_TEST(n.at("name") == "Ann");
        BOOST_TEST(n.at("actor").is_null());
        BOOST_TEST(n.at("text") == "my order is late");
        auto page = bob.json("GET", "/conversations/5401/messages?limit=2");
        auto said = page.at("messages").at(0);  // before the bot's answer
        BOOST_TEST(said.at("text") == "my order is late");
        BOOST_TEST(n.at("seq") == said.at("seq"));
        user_says(p, "5401", "support");
        user_says(p, "5401", "anyone there?");
        BOOST_TEST((told_of(bob) == names{"anyone there?", "support", "my order is late"}));

        // bob has the chat now: his list tells him. carol, whom he asks to
        // follow it, is told instead.
        bob.json("POST", "/conversations/5401/chat-support/start");
        BOOST_TEST(bob.json("POST", "/conversations/5401/participants", R"({"username":"carol"})")
                       .at("participants") == (json::array{"bob", "carol"}));
        user_says(p, "5401", "thanks");
        BOOST_TEST(carol_ws.next_of_type("notification.created").at("data").at("notification").at("text") == "thanks");
        BOOST_TEST(told_of(bob).size() == 3u);

        // A note that calls dave in makes him a follower; deactivated, he is told nothing.
        carol.json("POST", "/conversations/5401/notes", R"({"text":"@dave you know this order"})", 201);
        BOOST_TEST(participants_of(admin, "5401") == (json::array{"bob", "carol", "dave"}));
        admin.json("PATCH", "/agents/dave", R"({"active":false})");
        user_says(p, "5401", "it was order 7");
        admin.json("PATCH", "/agents/dave", R"({"active":true})");
        dave = api_client{p, login(p, "dave", "secret-dave")};
        BOOST_TEST(told_of(dave).empty());
        BOOST_TEST(dave.json("GET", "/notifications").at("unread") == 1);  // the mention

        // Taken off, carol hears no more; taking off one who does not follow is no change.
        BOOST_TEST(bob.json("DELETE", "/conversations/5401/participants/carol").at("participants") ==
                   (json::array{"bob", "dave"}));
        bob.json("DELETE", "/conversations/5401/participants/carol");
        user_says(p, "5401", "hello?");
        BOOST_TEST((told_of(carol) == names{"it was order 7", "thanks"}));
        BOOST_TEST((told_of(dave) == names{"hello?"}));

        // The Following filter lists what each agent follows, snoozed or
        // not, with its count; and a search within it.
        user_says(p, "5402", "hi", "Bo");
        user_says(p, "5403", "hi", "Cy");
        carol.json("POST", "/conversations/5403/participants");
        carol.json("POST", "/conversations/5402/participants");
        BOOST_TEST((following(carol) == std::pair<names, std::int64_t>{{"5402", "5403"}, 2}));
        BOOST_TEST((following(carol, "&q=Cy") == std::pair<names, std::int64_t>{{"5403"}, 2}));
        BOOST_TEST((following(dave) == std::pair<names, std::int64_t>{{"5401"}, 1}));
        BOOST_TEST((following(bob) == std::pair<names, std::int64_t>{{"5401"}, 1}));
        BOOST_TEST((following(admin) == std::pair<names, std::int64_t>{{}, 0}));
        bob.json("PUT", "/conversations/5401/snooze", R"({"until":"next_reply"})");
        BOOST_TEST((following(bob) == std::pair<names, std::int64_t>{{"5401"}, 1}));
        carol.json("DELETE", "/conversations/5402/participants/carol");
        BOOST_TEST((following(carol) == std::pair<names, std::int64_t>{{"5403"}, 1}));
        BOOST_TEST(refused_field(carol.call("GET", "/conversations?filter=followed")) == "filter");

        // Replaced whole: each once.
        BOOST_TEST(admin.json("PUT", "/conversations/5401/participants", R"({"participants":["dave","carol","dave"]})")
                       .at("participants") == (json::array{"carol", "dave"}));

        // Bad input: a clear error, and nothing changes.
        admin.json("PATCH", "/agents/bob", R"({"active":false})");
        auto refused_for = [&](const std::string& method, const std::string& body) {
            return refused_field(admin.call(method, "/conversations/5401/participants", body));
        };
        BOOST_TEST(refused_for("PUT", R"({"participants":["ghost"]})") == "participants");
        BOOST_TEST(refused_for("PUT", R"({"participants":["bob"]})") == "participants");
        BOOST_TEST(refused_for("PUT", R"({"participants":"carol"})") == "participants");
        BOOST_TEST(refused_for("PUT", R"({"participants":[7]})") == "participants");
        BOOST_TEST(refused_for("POST", R"({"username":"ghost"})") == "username");
        BOOST_TEST(refused_for("POST", R"({"username":"bob"})") == "username");
        BOOST_TEST(refused_for("POST", "[") == "body");
        BOOST_TEST(admin.call("POST", "/conversations/5499/participants").status == 404u);
        BOOST_TEST(participants_of(admin, "5401") == (json::array{"carol", "dave"}));
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }

    // Kept, with what they were told.
    server_process server(args);
    auto p = server.port();
    api_client carol{p, login(p, "carol", "secret-carol")};
    BOOST_TEST(participants_of(carol, "5401") == (json::array{"carol", "dave"}));
    user_says(p, "5401", "still there?");
    BOOST_TEST((told_of(carol) == names{"still there?", "it was order 7", "thanks"}));
}

// Muted (Chatwoot's mute), a conversation's user still writes to the bot
// and to the chat as ever, but no follower is told; the switch leaves a
// note and a conversation.updated, changes no chat, and is kept.
BOOST_AUTO_TEST_CASE(a_muted_conversation_tells_no_follower) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    std::string token;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        token = bob.token;
        user_says(p, "5451", "support", "Ann");
        admin.json("POST", "/conversations/5451/chat-support/start");
        bob.json("POST", "/conversations/5451/participants");
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");

        auto c = bob.json("PUT", "/conversations/5451/muted", R"({"muted":true})");
        BOOST_TEST(c.at("muted").as_bool());
        BOOST_TEST(c.at("is_chat_support").as_bool());  // the chat goes on
        BOOST_TEST(c.at("assignee") == "admin");
        auto note = ws.next_of_type("message.created");
        BOOST_TEST(note.at("data").at("type") == "system");
        BOOST_TEST(note.at("data").at("text") == "Muted by bob");
        BOOST_TEST(ws.next_of_type("conversation.updated").at("data").at("muted").as_bool());
        // Again: nothing to do.
        BOOST_TEST(bob.json("PUT", "/conversations/5451/muted", R"({"muted":true})").at("muted").as_bool());

        user_says(p, "5451", "are you there?");
        auto said = ws.next_of_type("message.created");  // comes to the consoles as ever
        BOOST_TEST(said.at("data").at("text") == "are you there?");
        BOOST_TEST(told_of(bob).empty());
        BOOST_TEST(bob.json("GET", "/notifications").at("unread") == 0);

        // Bad input: a clear error, and nothing changes.
        auto refused = [&](const std::string& body) {
            auto res = bob.call("PUT", "/conversations/5451/muted", body);
            BOOST_TEST(res.status == 400u, body);
            BOOST_TEST(res.body.find("muted must be true or false") != std::string::npos, res.body);
        };
        refused(R"({})");
        refused(R"({"muted":"no"})");
        refused(R"({"muted":0})");
        BOOST_TEST(bob.json("GET", "/conversations/5451").at("muted").as_bool());
        BOOST_TEST(bob.call("PUT", "/conversations/5499/muted", R"({"muted":true})").status == 404u);
        BOOST_TEST(http_request(p, "PUT", "/conversations/5451/muted", R"({"muted":false})").status == 401u);
        server.send_signal(SIGKILL);  // no flush at a stop: what was answered is on disk
        server.wait_exit(5s);
    }

    // Kept, across a crash too; unmuted, the followers are told again.
    server_process server(args);
    auto p = server.port();
    api_client bob{p, token};
    BOOST_TEST(bob.json("GET", "/conversations/5451").at("muted").as_bool());
    user_says(p, "5451", "hello?");
    BOOST_TEST(told_of(bob).empty());
    auto c = bob.json("PUT", "/conversations/5451/muted", R"({"muted":false})");
    BOOST_TEST(!c.at("muted").as_bool());
    auto history = bob.json("GET", "/conversations/5451/messages?limit=1");
    BOOST_TEST(history.at("messages").at(0).at("text") == "Unmuted by bob");
    user_says(p, "5451", "still there?");
    BOOST_TEST((told_of(bob) == names{"still there?"}));
}

// Each user's message makes a notification for each follower: at most
// max_participants (25) of them.
BOOST_AUTO_TEST_CASE(a_conversation_has_at_most_25_followers) {
    server_process server({"--admin-password", known_admin_password});
    auto p = server.port();
    auto admin = known_admin(p);
    user_says(p, "5501", "hello", "Bo");
    json::array everyone;
    for (int i = 0; i < 25; ++i) {
        auto name = "agent" + std::to_string(i);
        admin.json("POST", "/agents", R"({"username":")" + name + R"(","password":"password-)" + name + R"("})", 201);
        everyone.emplace_back(name);
    }
    auto too_many = everyone;
    too_many.emplace_back("admin");
    BOOST_TEST(refused_field(admin.call("PUT", "/conversations/5501/participants",
                                  json::serialize(json::object{{"participants", too_many}}))) == "participants");
    BOOST_TEST(participants_of(admin, "5501").as_array().empty());
    auto once_each = everyone;
    once_each.emplace_back("agent0");  // counted once
    admin.json("PUT", "/conversations/5501/participants", json::serialize(json::object{{"participants", once_each}}));
    BOOST_TEST(refusal_message(admin.call("POST", "/conversations/5501/participants"), 409) ==
               "5501 has 25 followers already, the most a conversation has");
    BOOST_TEST(participants_of(admin, "5501").as_array().size() == 25u);
}

// Following as a command among others: a bulk action on the conversations
// picked, a macro's step (whoever runs it, or a named agent), and an
// automation's (which must name one: an automation is nobody to follow).
BOOST_AUTO_TEST_CASE(bulk_actions_macros_and_automations_follow_and_unfollow) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    std::optional<server_process> server(std::in_place, args);
    auto p = server->port();
    auto admin = known_admin(p);
    auto bob = agent_client(admin, "bob");
    agent_client(admin, "carol");
    for (auto phone : {"5601", "5602", "5603"}) user_says(p, phone, "hello");

    auto bulk = [&](const std::string& body) { return bob.json("POST", "/conversations/bulk", body); };
    BOOST_TEST(bulk(R"({"phones":["5601","5602"],"action":"follow"})").at("succeeded") == 2);
    bulk(R"({"phones":["5601","5602"],"action":"follow","username":"carol"})");
    BOOST_TEST(participants_of(bob, "5602") == (json::array{"bob", "carol"}));
    bulk(R"({"phones":["5602"],"action":"unfollow"})");
    BOOST_TEST(participants_of(bob, "5602") == json::array{"carol"});
    BOOST_TEST(refused_field(bob.call("POST", "/conversations/bulk",
                                      R"({"phones":["5603"],"action":"follow","username":"ghost"})")) == "username");
    BOOST_TEST(participants_of(bob, "5603").as_array().empty());

    auto macro = admin.json("POST", "/macros",
                            R"({"name":"Watch","actions":[{"action":"follow"},{"action":"unfollow","username":"carol"}]})", 201);
    BOOST_TEST(macro.at("actions") == json::parse(R"([{"action":"follow"},{"action":"unfollow","username":"carol"}])"));
    bob.json("POST", "/conversations/5602/macros/" + std::string(macro.at("id").as_string()));
    BOOST_TEST(participants_of(bob, "5602") == json::array{"bob"});
    admin.json("POST", "/conversations/5601/macros/" + std::string(macro.at("id").as_string()));
    BOOST_TEST(participants_of(bob, "5601") == (json::array{"admin", "bob"}));

    BOOST_TEST(refused_field(admin.call("POST", "/automations",
                                        R"({"name":"x","event":"user_message","actions":[{"action":"follow"}]})")) ==
               "actions");
    admin.json("POST", "/automations",
               R"({"name":"Refunds to carol","event":"user_message","contains":["refund"],)"
               R"("actions":[{"action":"follow","username":"carol"},{"action":"note","text":"Seen"}]})", 201);
    ws_client ws(p, "/ws?token=" + bob.token);
    ws.next_of_type("hello");
    user_says(p, "5603", "a refund, please");
    for (;;) {  // the rule's note comes after its first step
        auto e = ws.next_of_type("message.created");
        if (e.at("conversation") == "5603" && e.at("data").at("agent") == "automation") break;
    }
    BOOST_TEST(participants_of(bob, "5603") == json::array{"carol"});

    // carol leaves: the macro that names her is kept over a restart, and refused when run.
    admin.json("PATCH", "/agents/carol", R"({"active":false})");
    server->send_signal(SIGTERM);
    server->wait_exit(5s);
    server.emplace(args);
    bob = api_client{server->port(), login(server->port(), "bob", "secret-bob")};
    auto kept = bob.json("GET", "/macros").at("macros");
    BOOST_TEST(kept.at(0).at("actions") == macro.at("actions"));
    auto r = bob.call("POST", "/conversations/5603/macros/" + std::string(macro.at("id").as_string()));
    BOOST_TEST(refusal_message(r, 409) == "Watch, action 2 of 2 (unfollow): carol is deactivated");
}

// Muting as a command among others: a bulk action, a macro's step, and an
// automation's (a user who asks to hear no more is muted).
BOOST_AUTO_TEST_CASE(bulk_actions_macros_and_automations_mute_and_unmute) {
    server_process server({"--admin-password", known_admin_password});
    auto p = server.port();
    auto admin = known_admin(p);
    for (auto phone : {"5701", "5702", "5703"}) user_says(p, phone, "hello");
    auto muted = [&](const std::string& phone) { return admin.json("GET", "/conversations/" + phone).at("muted").as_bool(); };

    auto bulk = [&](const std::string& body) { return admin.json("POST", "/conversations/bulk", body); };
    BOOST_TEST(bulk(R"({"phones":["5701","5702"],"action":"mute"})").at("succeeded") == 2);
    BOOST_TEST(muted("5701"));
    BOOST_TEST(muted("5702"));
    BOOST_TEST(!muted("5703"));
    bulk(R"({"phones":["5702"],"action":"unmute"})");
    BOOST_TEST(!muted("5702"));
    BOOST_TEST(refused_field(admin.call("POST", "/conversations/bulk", R"({"phones":["5703"],"action":"silence"})")) ==
               "action");

    auto macro = admin.json("POST", "/macros", R"({"name":"Quiet","actions":[{"action":"mute"}]})", 201);
    BOOST_TEST(macro.at("actions") == json::parse(R"([{"action":"mute"}])"));
    admin.json("POST", "/conversations/5703/macros/" + std::string(macro.at("id").as_string()));
    BOOST_TEST(muted("5703"));

    admin.json("POST", "/automations",
               R"({"name":"Opt-outs","event":"user_message","contains":["unsubscribe"],"actions":[{"action":"mute"}]})",
               201);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    user_says(p, "5702", "unsubscribe me");
    for (;;) {  // the rule runs after the message
        auto e = ws.next_of_type("conversation.updated");
        if (e.at("conversation") == "5702" && e.at("data").at("muted").as_bool()) break;
    }
    BOOST_TEST(muted("5702"));
}

BOOST_AUTO_TEST_SUITE_END()
