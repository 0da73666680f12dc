// The notification inbox against the real server: what makes a
// notification and for whom, its push to that agent alone, the pages,
// marking read and unread, and what a restart keeps.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "server_process.hpp"
#include "receiver.hpp"
#include "smtp_receiver.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <csignal>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::uint64_t id_of(const json::value& n) { return n.at("id").to_number<std::uint64_t>(); }

// The ids a page lists, in its order.
std::vector<std::uint64_t> ids_listed(const api_client& agent, const std::string& query = {}) {
    std::vector<std::uint64_t> out;
    auto page = agent.json("GET", "/notifications" + query);  // named: a range-for over its member would outlive it
    for (auto& n : page.at("notifications").as_array()) out.push_back(id_of(n));
    return out;
}

std::int64_t unread_of(const api_client& agent) { return agent.json("GET", "/notifications").at("unread").as_int64(); }

// Every chat's user in the stopped server's store has waited ten minutes more.
void every_wait_ten_minutes_longer(const temp_dir& dir) {
    sqlite_script(dir.path() / "switchboard.db", "UPDATE chats SET waiting_since = waiting_since - 600000");
}

// Returns once the restarted server has reported `n` chats past a target
// (chat.sla_missed), once each: their notifications, if any, are kept by then.
void await_missed_targets(unsigned short port, const api_client& agent, int n) {
    ws_client ws(port, "/ws?token=" + agent.token);
    ws.next_of_type("hello");
    ws.send(R"({"type":"resume","after":0})");
    for (int i = 0; i < n; ++i) ws.next_of_type("chat.sla_missed");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notifications)

BOOST_AUTO_TEST_CASE(an_agent_finds_the_notes_that_mention_them_and_the_chats_handed_to_them) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    std::uint64_t mention = 0, handed = 0;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        auto carol = agent_client(admin, "carol");
        agent_client(admin, "dave");
        admin.json("PATCH", "/agents/dave", R"({"active":false})");
        ws_client bob_ws(p, "/ws?token=" + bob.token);
        ws_client carol_ws(p, "/ws?token=" + carol.token);
        bob_ws.next_of_type("hello");
        carol_ws.next_of_type("hello");
        user_says(p, "5101", "support", "Ann");
        carol.json("POST", "/conversations/5101/chat-support/start");

        // bob twice, in any case; carol, who writes it; dave, deactivated;
        // nobody called ghost; an address.
        auto note = carol.json("POST", "/conversations/5101/notes",
                               R"({"text":"@Bob can you look? @carol @dave @ghost eve@example.com thanks @bob."})", 201);
        auto pushed = bob_ws.next_of_type("notification.created");
        BOOST_TEST(!pushed.contains("seq"));  // the agent's alone: not in the event log
        BOOST_TEST(pushed.at("conversation") == "5101");
        auto n = pushed.at("data").at("notification");
        mention = id_of(n);
        BOOST_TEST(n.at("type") == "mention");
        BOOST_TEST(n.at("conversation") == "5101");
        BOOST_TEST(n.at("name") == "Ann");
        BOOST_TEST(n.at("actor") == "carol");
        BOOST_TEST(n.at("seq") == note.at("seq"));
        BOOST_TEST(n.at("text") == note.at("text"));
        BOOST_TEST(n.at("read_at").is_null());
        BOOST_TEST(pushed.at("data").at("unread") == 1);

        carol.json("POST", "/conversations/5101/chat-support/transfer", R"({"to":"bob"})");
        auto transferred = bob_ws.next_of_type("notification.created");
        n = transferred.at("data").at("notification");
        handed = id_of(n);
        BOOST_TEST(handed > mention);
        BOOST_TEST(n.at("type") == "assigned");
        BOOST_TEST(n.at("actor") == "carol");
        BOOST_TEST(n.at("seq").is_null());
        BOOST_TEST(n.at("text").is_null());
        BOOST_TEST(transferred.at("data").at("unread") == 2);

        // Claimed by bob himself, taken from the queue by carol for herself,
        // and a note that names nobody: nothing.
        user_says(p, "5102", "support", "Ben");
        bob.json("POST", "/conversations/5102/chat-support/start");
        user_says(p, "5103", "support", "Cal");
        carol.json("POST", "/conversations/5103/chat-support/transfer", R"({"to":"carol"})");
        BOOST_TEST(carol.json("GET", "/conversations/5103").at("assignee") == "carol");
        bob.json("POST", "/conversations/5102/notes", R"({"text":"on it, @bob"})", 201);
        BOOST_TEST((ids_listed(bob) == std::vector<std::uint64_t>{handed, mention}));
        BOOST_TEST(unread_of(bob) == 2);
        BOOST_TEST(ids_listed(carol).empty());
        BOOST_TEST(unread_of(carol) == 0);
        // bob's pushes never reached her socket, which had every event.
        while (auto frame = carol_ws.try_next(200ms))
            BOOST_TEST(!frame->at("type").as_string().starts_with("notification"), json::serialize(*frame));
        admin.json("PATCH", "/agents/dave", R"({"active":true})");
        BOOST_TEST(ids_listed(api_client{p, login(p, "dave", "secret-dave")}).empty());

        // A page at a time, newest first.
        auto first = bob.json("GET", "/notifications?limit=1");
        BOOST_TEST(first.at("notifications").as_array().size() == 1u);
        BOOST_TEST(first.at("next_before").to_number<std::uint64_t>() == handed);
        BOOST_TEST((ids_listed(bob, "?limit=1&before=" + std::to_string(handed)) == std::vector<std::uint64_t>{mention}));
        BOOST_TEST(bob.json("GET", "/notifications?limit=1&before=" + std::to_string(handed)).at("next_before").is_null());

        // Each agent marks only their own.
        auto mark = "/notifications/" + std::to_string(mention) + "/read";
        BOOST_TEST(carol.call("POST", mark).status == 404u);
        BOOST_TEST(bob.call("POST", "/notifications/x/read").status == 404u);
        BOOST_TEST(bob.call("POST", "/notifications/999999/read").status == 404u);
        BOOST_TEST(unread_of(bob) == 2);
        auto read = bob.json("POST", mark);
        BOOST_TEST(!read.at("read_at").is_null());
        auto updated = bob_ws.next_of_type("notification.updated");
        BOOST_TEST(updated.at("data").at("ids") == json::array{mention});
        BOOST_TEST(updated.at("data").at("read_at") == read.at("read_at"));
        BOOST_TEST(updated.at("data").at("unread") == 1);
        BOOST_TEST(bob.json("POST", mark).at("read_at") == read.at("read_at"));  // read already: as it was
        BOOST_TEST((ids_listed(bob, "?unread=true") == std::vector<std::uint64_t>{handed}));

        // Bad input: a clear error, and nothing changes.
        BOOST_TEST(refused_field(bob.call("GET", "/notifications?before=abc")) == "before");
        BOOST_TEST(refused_field(bob.call("GET", "/notifications?unread=yes")) == "unread");
        BOOST_TEST(refused_field(bob.call("GET", "/notifications?limit=0")) == "limit");
        BOOST_TEST(refused_field(bob.call("POST", "/notifications/read-all", R"({"conversation":"abc"})")) ==
                   "conversation");
        BOOST_TEST(refused_field(bob.call("POST", "/notifications/read-all", "nope")) == "body");
        BOOST_TEST(unread_of(bob) == 1);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }

    server_process server(args);
    auto p = server.port();
    api_client bob{p, login(p, "bob", "secret-bob")};
    auto kept = bob.json("GET", "/notifications");
    auto& items = kept.at("notifications").as_array();
    BOOST_REQUIRE(items.size() == 2u);
    BOOST_TEST(id_of(items[0]) == handed);
    BOOST_TEST(items[0].at("read_at").is_null());
    BOOST_TEST(items[1].at("type") == "mention");
    BOOST_TEST(!items[1].at("read_at").is_null());
    BOOST_TEST(kept.at("unread") == 1);

    // Read all of one conversation's, then all; and one unread again.
    auto admin = known_admin(p);
    admin.json("POST", "/conversations/5102/notes", R"({"text":"@bob the refund went through"})", 201);
    BOOST_TEST(unread_of(bob) == 2);
    auto one = bob.json("POST", "/notifications/read-all", R"({"conversation":"+5101"})");
    BOOST_TEST(one.at("marked") == 1);
    BOOST_TEST(one.at("unread") == 1);
    BOOST_TEST((ids_listed(bob, "?unread=true").size() == 1u));
    auto all = bob.json("POST", "/notifications/read-all");
    BOOST_TEST(all.at("marked") == 1);
    BOOST_TEST(all.at("unread") == 0);
    auto again = bob.json("POST", "/notifications/" + std::to_string(mention) + "/unread");
    BOOST_TEST(again.at("read_at").is_null());
    BOOST_TEST(unread_of(bob) == 1);
}

// Chatwoot tells the agent who has a chat when it misses one of the team's
// targets (its SLA): here found as the server starts, after a wait that
// went past the first-reply target while it was down. A chat in the queue
// is nobody's to be told of.
BOOST_AUTO_TEST_CASE(the_agent_who_has_a_chat_is_told_when_it_misses_a_target) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        admin.json("PUT", "/sla", R"({"first_reply_minutes":5})");
        user_says(p, "5301", "support", "Dee");
        user_says(p, "5302", "support", "Eli");
        bob.json("POST", "/conversations/5301/chat-support/start");
        BOOST_TEST(unread_of(bob) == 0);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    every_wait_ten_minutes_longer(dir);
    server_process server(args);
    auto p = server.port();
    api_client bob{p, login(p, "bob", "secret-bob")};
    await_missed_targets(p, bob, 2);
    auto listed = bob.json("GET", "/notifications");
    auto& items = listed.at("notifications").as_array();
    BOOST_REQUIRE(items.size() == 1u);
    BOOST_TEST(items[0].at("type") == "sla_missed");
    BOOST_TEST(items[0].at("conversation") == "5301");
    BOOST_TEST(items[0].at("target") == "first_reply");
    BOOST_TEST(items[0].at("actor").is_null());
    BOOST_TEST(items[0].at("text").is_null());
    auto admin = known_admin(p);
    BOOST_TEST(unread_of(admin) == 0);
}

// Chatwoot tells an agent of a chat auto-assignment gave them, as of one a
// colleague handed over: routing is nobody (actor null).
BOOST_AUTO_TEST_CASE(automatic_routing_tells_the_agent_it_picked) {
    server_process server({"--routing", "round-robin"});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    admin.json("PATCH", "/agents/admin", R"({"available":false})");  // the admin only watches
    ws_client bob_ws(server.port(), "/ws?token=" + bob.token);
    bob_ws.next_of_type("hello");
    user_says(server.port(), "5201", "support", "Cy");
    auto pushed = bob_ws.next_of_type("notification.created");
    auto n = pushed.at("data").at("notification");
    BOOST_TEST(n.at("type") == "assigned");
    BOOST_TEST(n.at("conversation") == "5201");
    BOOST_TEST(n.at("actor").is_null());
    BOOST_TEST(bob.json("GET", "/conversations/5201").at("assignee") == "bob");
    BOOST_TEST(unread_of(bob) == 1);
    BOOST_TEST(unread_of(admin) == 0);
}

// Chatwoot's notification preferences: each agent turns off the kinds they
// do not want, for themselves alone; a kind turned off makes no
// notification, and turned on again makes them again. Kept over a restart.
// Each check of absence waits for a notification that came after.
BOOST_AUTO_TEST_CASE(an_agent_turns_off_the_kinds_of_notification_they_do_not_want) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    json::value bob_kept, carol_kept;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        auto carol = agent_client(admin, "carol");
        ws_client bob_ws(p, "/ws?token=" + bob.token);
        ws_client carol_ws(p, "/ws?token=" + carol.token);
        bob_ws.next_of_type("hello");
        carol_ws.next_of_type("hello");
        auto all_on = json::parse(R"({"mention":true,"assigned":true,"sla_missed":true,"message":true,)"
                                  R"("email_mention":true,"email_assigned":true,"email_sla_missed":true,"email_message":true})");
        BOOST_TEST(bob.json("GET", "/notifications/preferences").at("preferences") == all_on);

        auto set = bob.json("PATCH", "/notifications/preferences", R"({"message":false,"mention":false})");
        auto expected = all_on;
        expected.as_object()["message"] = false;
        expected.as_object()["mention"] = false;
        BOOST_TEST(set.at("preferences") == expected);
        BOOST_TEST(bob_ws.next_of_type("notification_preferences.updated").at("data").at("preferences") == expected);

        // bob follows 5401, whose user writes while carol has it, and is
        // mentioned in it: told of neither. Handed it, he is told of that.
        user_says(p, "5401", "support", "Ann");
        carol.json("POST", "/conversations/5401/chat-support/start");
        bob.json("POST", "/conversations/5401/participants");
        user_says(p, "5401", "hello?");
        carol.json("POST", "/conversations/5401/notes", R"({"text":"@bob can you look?"})", 201);
        carol.json("POST", "/conversations/5401/chat-support/transfer", R"({"to":"bob"})");
        auto first = bob_ws.next_of_type("notification.created").at("data").at("notification");
        BOOST_TEST(first.at("type") == "assigned");
        BOOST_TEST(unread_of(bob) == 1);

        // Mentions on again; messages still off.
        expected.as_object()["mention"] = true;
        BOOST_TEST(bob.json("PATCH", "/notifications/preferences", R"({"mention":true})").at("preferences") == expected);
        carol.json("POST", "/conversations/5401/notes", R"({"text":"@bob thanks"})", 201);
        BOOST_TEST(bob_ws.next_of_type("notification.created").at("data").at("notification").at("type") == "mention");

        // Bad input names its field and changes nothing.
        for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{{R"({"email":false})", "email"},
                                                                                    {R"({"email_note":false})", "email_note"},
                                                                                    {R"({"message":"no"})", "message"},
                                                                                    {R"({"mention":null})", "mention"},
                                                                                    {R"({})", "body"},
                                                                                    {"[false]", "body"}})
            BOOST_TEST(refused_field(bob.call("PATCH", "/notifications/preferences", body)) == field, body);
        BOOST_TEST(bob.json("GET", "/notifications/preferences").at("preferences") == expected);
        BOOST_TEST(http_request(p, "GET", "/notifications/preferences").status == 401u);

        // carol's are her own: the first she is told of is hers. Not told
        // of 5402 handed to her; told of the mention after it.
        BOOST_TEST(carol.json("GET", "/notifications/preferences").at("preferences") == all_on);
        carol.json("PATCH", "/notifications/preferences", R"({"assigned":false})");
        BOOST_TEST(carol_ws.next_of_type("notification_preferences.updated").at("data").at("preferences").at("assigned") ==
                   false);
        user_says(p, "5402", "support", "Ben");
        bob.json("POST", "/conversations/5402/chat-support/start");
        bob.json("POST", "/conversations/5402/chat-support/transfer", R"({"to":"carol"})");
        bob.json("POST", "/conversations/5402/notes", R"({"text":"@carol over to you"})", 201);
        BOOST_TEST(carol_ws.next_of_type("notification.created").at("data").at("notification").at("type") == "mention");

        // bob will not hear of his chat missing a target; carol will.
        bob.json("PATCH", "/notifications/preferences", R"({"sla_missed":false})");
        admin.json("PUT", "/sla", R"({"first_reply_minutes":5})");
        bob_kept = bob.json("GET", "/notifications/preferences");
        carol_kept = carol.json("GET", "/notifications/preferences");
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    every_wait_ten_minutes_longer(dir);  // for a first reply
    server_process server(args);
    auto p = server.port();
    api_client bob{p, login(p, "bob", "secret-bob")};
    api_client carol{p, login(p, "carol", "secret-carol")};
    BOOST_TEST(bob.json("GET", "/notifications/preferences") == bob_kept);
    BOOST_TEST(carol.json("GET", "/notifications/preferences") == carol_kept);
    await_missed_targets(p, bob, 2);
    auto sla_notes = [](const api_client& agent) {
        std::vector<std::string> out;
        auto page = agent.json("GET", "/notifications");  // named: a range-for over its member would outlive it
        for (auto& n : page.at("notifications").as_array())
            if (n.at("type") == "sla_missed") out.emplace_back(n.at("conversation").as_string());
        return out;
    };
    BOOST_TEST(sla_notes(bob).empty());
    BOOST_TEST(sla_notes(carol) == std::vector<std::string>{"5402"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notification_mail)

// bob, with an address and no console open, is mentioned in a chat of the
// admin's with `phone`: a mail for him is on its way. Returns bob.
api_client mention_bob_away(server_process& server, const std::string& phone) {
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    bob.json("PATCH", "/agents/bob", R"({"email":"bob@example.com","current_password":"secret-bob"})");
    user_says(server.port(), phone, "support");
    admin.json("POST", "/conversations/" + phone + "/chat-support/start");
    admin.json("POST", "/conversations/" + phone + "/notes", R"({"text":"@bob look"})", 201);
    return bob;
}

// E-mail, as Chatwoot's: what an agent's inbox gets while no console of
// theirs is open goes to their address too; nothing while one is, nor to
// an agent with no address. The mails go one after another, in the order
// their notifications were kept.
BOOST_AUTO_TEST_CASE(an_agent_away_is_emailed_what_their_inbox_gets) {
    smtp_receiver smtp;
    server_process server({"--smtp-url", smtp.url(), "--smtp-from", "Switchboard <support@example.com>",
                           "--public-url", "https://support.example.test/app"});
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    agent_client(admin, "carol");
    agent_client(admin, "dave");  // gives no address
    BOOST_TEST(bob.json("PATCH", "/agents/bob", R"({"email":"bob@example.com","current_password":"secret-bob"})").at("email") == "bob@example.com");
    BOOST_TEST(admin.json("PATCH", "/agents/carol", R"({"email":" carol@example.com "})").at("email") == "carol@example.com");
    user_says(p, "5301", "support", "Zoë Lee");
    admin.json("POST", "/conversations/5301/chat-support/start");

    {  // Bob has a console open: his inbox gets the mention, his mail nothing.
        ws_client bob_ws(p, "/ws?token=" + bob.token);
        bob_ws.next_of_type("hello");
        admin.json("POST", "/conversations/5301/notes", R"({"text":"@bob while you are here"})", 201);
        bob_ws.next_of_type("notification.created");
    }
    wait_for_metric_at_most(p, "switchboard_ws_connections", 0);  // and now he is away

    auto note = admin.json("POST", "/conversations/5301/notes", R"({"text":"@bob @dave @carol the refund. is it done?"})", 201);
    admin.json("POST", "/conversations/5301/chat-support/transfer", R"({"to":"carol"})");
    auto mails = smtp.wait_for(3);
    BOOST_TEST_REQUIRE(mails.size() == 3u);
    auto& to_bob = mails[0];
    BOOST_TEST(to_bob.from == "support@example.com");
    BOOST_TEST(to_bob.to == std::vector<std::string>{"bob@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(to_bob.header("From") == "Switchboard <support@example.com>");
    BOOST_TEST(to_bob.header("To") == "<bob@example.com>");
    BOOST_TEST(to_bob.header("Subject").starts_with("=?UTF-8?B?"));  // Zoë is not ASCII
    BOOST_TEST(decoded_words(to_bob.header("Subject")) == "admin mentioned you: Zoë Lee (+5301)");
    BOOST_TEST(to_bob.header("Content-Type") == "text/plain; charset=utf-8");
    BOOST_TEST(to_bob.body().find("admin mentioned you in a private note in the conversation with Zoë Lee (+5301):\r\n\r\n"
                                  "@bob @dave @carol the refund. is it done?\r\n") != std::string::npos,
               to_bob.body());
    BOOST_TEST(to_bob.body().find("Open it: https://support.example.test/app/#conversation=5301&message=" +
                                  std::to_string(note.at("seq").as_int64()) + "\r\n") != std::string::npos,
               to_bob.body());
    BOOST_TEST(to_bob.body().find("while you are here") == std::string::npos);
    BOOST_TEST(mails[1].to == std::vector<std::string>{"carol@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(decoded_words(mails[1].header("Subject")) == "admin mentioned you: Zoë Lee (+5301)");
    BOOST_TEST(mails[2].to == std::vector<std::string>{"carol@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(decoded_words(mails[2].header("Subject")) == "A chat for you: Zoë Lee (+5301)");
    BOOST_TEST(mails[2].body().starts_with("admin gave you the chat with Zoë Lee (+5301).\r\n"), mails[2].body());
    BOOST_TEST(wait_for_metric(p, R"(switchboard_emails_total{outcome="sent"})", 3) == 3);

    // Mentioned, bob follows the conversation: of what the user writes, he is
    // mailed the first line, not one a line; a mention still goes at once.
    user_says(p, "5301", "hello?");
    user_says(p, "5301", "anyone there?");
    admin.json("POST", "/conversations/5301/notes", R"({"text":"@bob she is back"})", 201);
    mails = smtp.wait_for(5);
    BOOST_TEST(mails[3].to == std::vector<std::string>{"bob@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(decoded_words(mails[3].header("Subject")) == "Zoë Lee (+5301) wrote in a conversation you follow");
    BOOST_TEST(mails[3].body().starts_with("Zoë Lee (+5301) wrote:\r\n\r\nhello?\r\n"), mails[3].body());
    BOOST_TEST(decoded_words(mails[4].header("Subject")) == "admin mentioned you: Zoë Lee (+5301)");
    BOOST_TEST(mails[4].body().find("@bob she is back") != std::string::npos, mails[4].body());

    // Mentions by mail off: the inbox still gets them, the mail does not;
    // a chat handed to him still comes.
    auto prefs = bob.json("PATCH", "/notifications/preferences", R"({"email_mention":false})").at("preferences");
    BOOST_TEST(prefs.at("email_mention") == false);
    BOOST_TEST(prefs.at("mention") == true);
    admin.json("POST", "/conversations/5301/notes", R"({"text":"@bob again"})", 201);
    user_says(p, "5302", "support");
    admin.json("POST", "/conversations/5302/chat-support/start");
    admin.json("POST", "/conversations/5302/chat-support/transfer", R"({"to":"bob"})");
    mails = smtp.wait_for(6);
    BOOST_TEST(mails[5].header("Subject") == "A chat for you: +5302");  // ASCII: as it is
    BOOST_TEST(bob.json("GET", "/notifications?limit=2").at("notifications").at(1).at("text") == "@bob again");

    // An address is the agent's own, or an admin's to set; a malformed one changes nothing.
    BOOST_TEST(refused_field(bob.call("PATCH", "/agents/bob", R"({"email":"bob at example.com"})")) == "email");
    BOOST_TEST(refused_field(bob.call("PATCH", "/agents/bob", R"({"email":"bob@example.com\r\nBcc: x@y.z"})")) == "email");
    BOOST_TEST(refused_field(bob.call("PATCH", "/agents/bob", R"({"email":"bob@localhost"})")) == "email");
    BOOST_TEST(refusal_message(bob.call("PATCH", "/agents/carol", R"({"email":"bob@example.com"})"), 403) ==
               "agents may change only themselves");
    BOOST_TEST(bob.json("GET", "/me").at("agent").at("email") == "bob@example.com");
    BOOST_TEST(bob.json("PATCH", "/agents/bob", R"({"email":null,"current_password":"secret-bob"})").at("email") == "");
}

// A mail server that does not answer: each mail is tried three times, then
// logged and counted; nothing else waits for it.
BOOST_AUTO_TEST_CASE(a_mail_server_that_does_not_answer_costs_the_mail_alone) {
    server_process server({"--smtp-url", "smtp://127.0.0.1:9", "--smtp-from", "support@example.com"});
    auto p = server.port();
    auto bob = mention_bob_away(server, "5302");
    BOOST_TEST(bob.json("GET", "/notifications").at("unread") == 1);  // the inbox has it at once
    BOOST_TEST(wait_for_metric(p, R"(switchboard_emails_total{outcome="failed"})", 1, std::chrono::seconds(20)) == 1);
    BOOST_TEST(server.stderr_text().find("e-mail not sent") != std::string::npos);
    BOOST_TEST(read_metric(p, R"(switchboard_emails_total{outcome="sent"})") == 0);
}

// A mail server that takes the connection and then says nothing holds a
// mail for up to half a minute: SIGTERM cuts it short, and the server still
// exits within SPEC's 5 s.
BOOST_AUTO_TEST_CASE(a_mail_under_way_does_not_hold_up_the_exit) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    server_process server({"--smtp-url", "smtp://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                           "--smtp-from", "support@example.com"});
    mention_bob_away(server, "5303");
    boost::asio::ip::tcp::socket mailer(ioc);
    silent.accept(mailer);  // the mail is under way, waiting for a greeting that never comes
    server.send_signal(SIGTERM);
    auto code = server.wait_exit(std::chrono::seconds(5));
    BOOST_TEST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
}

// A server that mails through `smtp`, and sends plain-webhook users what
// agents write to `outbound`; its admin logged in.
struct mailing_server {
    smtp_receiver smtp;
    receiver outbound;
    server_process server{{"--smtp-url", smtp.url(), "--smtp-from", "Switchboard <support@example.com>", "--outbound-url",
                           outbound.url()}};
    unsigned short p = server.port();
    api_client admin = admin_client(server);
};

// Chatwoot's "Send transcript": the conversation as the user saw it, mailed
// to the address among their details or the one given; never a private note.
BOOST_FIXTURE_TEST_CASE(a_user_is_emailed_their_conversation_as_they_saw_it, mailing_server) {
    user_says(p, "5401", "support", "Ana Lima");
    admin.json("POST", "/conversations/5401/chat-support/start");
    admin.json("POST", "/conversations/5401/chat-support/send", R"({"text":"Hello Ana, how can I help?"})", 201);
    user_says(p, "5401", "Where is my order?");
    user_says(p, "5401", "It says <b>shipped</b> & \"late\"\nsince Monday");
    admin.json("POST", "/conversations/5401/notes", R"({"text":"refund approved internally"})", 201);
    outbound.wait_for_text("5401", "Hello Ana, how can I help?");  // the next one sent is the one refused
    outbound.script({{400, R"({"error":"no such user"})", {}}});  // this one never reaches her
    {
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");
        admin.json("POST", "/conversations/5401/chat-support/send", R"({"text":"Lost on the way"})", 201);
        // Told once the failure is kept (the outbox's count of it comes first).
        while (ws.next_of_type("message.status").at("data").at("status").as_string() != "failed") {
        }
    }
    auto send = [&](const std::string& body) { return admin.call("POST", "/conversations/5401/transcript/email", body); };

    BOOST_TEST(refused_field(send("")) == "to");  // no address among her details
    BOOST_TEST(refused_field(send(R"({"to":"not an address"})")) == "to");
    BOOST_TEST(admin.call("POST", "/conversations/5499/transcript/email").status == 404u);
    BOOST_TEST(smtp.mails().empty());

    admin.json("PUT", "/conversations/5401/attributes", R"({"attributes":{"email":"ana@example.com"}})");
    auto sent = admin.json("POST", "/conversations/5401/transcript/email", "", 202);
    BOOST_TEST(sent.at("to").as_string() == "ana@example.com");
    // As many as the history has that she saw: not the note, nor a system line.
    std::int64_t seen = 0;
    auto history = admin.json("GET", "/conversations/5401");  // named: a range-for over a temporary's member dangles
    for (auto& m : history.at("messages").as_array()) {
        auto type = m.at("type").as_string();
        if (type != "note" && type != "system" && m.at("status").as_string() != "failed") ++seen;
    }
    BOOST_TEST(sent.at("messages").as_int64() == seen);
    BOOST_TEST(seen >= 4);
    auto mail = smtp.wait_for(1)[0];
    BOOST_TEST(mail.to == std::vector<std::string>{"ana@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(mail.header("Subject") == "Your conversation with us");
    auto body = mail.part("text/plain");
    BOOST_TEST(body.starts_with("Hello Ana,\r\n"), body);
    BOOST_TEST(body.find("] You: support\r\n") != std::string::npos, body);
    BOOST_TEST(body.find("] Administrator: Hello Ana, how can I help?\r\n") != std::string::npos, body);
    BOOST_TEST(body.find("] You: Where is my order?\r\n") != std::string::npos, body);
    BOOST_TEST(body.find("refund approved") == std::string::npos, body);
    BOOST_TEST(body.find("Lost on the way") == std::string::npos, body);
    BOOST_TEST(body.find("You: support") < body.find("Where is my order?"));
    // And as a page beside the text, for the mail programs that show one:
    // each message as the user saw it, her words never markup.
    auto page = mail.part("text/html");
    BOOST_TEST(page.starts_with("<!DOCTYPE html>"), page);
    BOOST_TEST(page.find("Hello Ana,") != std::string::npos, page);
    BOOST_TEST(page.find("<div>Hello Ana, how can I help?</div>") != std::string::npos, page);
    BOOST_TEST(page.find(">Administrator · ") != std::string::npos, page);
    BOOST_TEST(page.find("<div>It says &lt;b&gt;shipped&lt;/b&gt; &amp; &quot;late&quot;<br>\nsince Monday</div>") !=
                   std::string::npos,
               page);
    BOOST_TEST(page.find("<b>") == std::string::npos, page);
    BOOST_TEST(page.find("refund approved") == std::string::npos, page);
    BOOST_TEST(page.find("Lost on the way") == std::string::npos, page);
    BOOST_TEST(page.find("Where is my order?") < page.find("It says"));
    BOOST_TEST(page.find("<td align=\"right\"") < page.find("Where is my order?"));  // hers, on her side

    // To another address, given: the team lead's, say.
    BOOST_TEST(admin.json("POST", "/conversations/5401/transcript/email", R"({"to":" lead@example.com "})", 202)
                   .at("to")
                   .as_string() == "lead@example.com");
    BOOST_TEST(smtp.wait_for(2)[1].to == std::vector<std::string>{"lead@example.com"}, boost::test_tools::per_element());
    auto audit = admin.json("GET", "/audit-log").at("entries").as_array();
    BOOST_TEST(audit[0].at("action").as_string() == "transcript.emailed");
    BOOST_TEST(audit[0].at("target").as_string() == "5401");
    BOOST_TEST(audit[0].at("details").at("to").as_string() == "lead@example.com");

    // Without a mail server, nothing to send it with.
    server_process no_mail;
    auto other = admin_client(no_mail);
    user_says(no_mail.port(), "5402", "hi");
    auto refused = other.call("POST", "/conversations/5402/transcript/email", R"({"to":"ana@example.com"})");
    BOOST_TEST(refused.status == 409u, refused.body);
    BOOST_TEST(refused.body.find("--smtp-url") != std::string::npos, refused.body);
}

// Chatwoot's macro action "Send an email transcript": to the user's email
// detail, or an address the macro names; refused in words when it cannot
// be sent, the steps before it staying done.
BOOST_FIXTURE_TEST_CASE(a_macro_emails_the_transcript, mailing_server) {
    user_says(p, "5501", "support", "Bo Reyes");
    admin.json("POST", "/conversations/5501/chat-support/start");
    admin.json("POST", "/conversations/5501/chat-support/send", R"({"text":"Hello Bo"})", 201);

    auto to_user = admin.json("POST", "/macros",
                              R"({"name":"Mail it","actions":[{"action":"label","label":"mailed"},{"action":"transcript"}]})",
                              201);
    BOOST_TEST(to_user.at("actions").at(1) == json::parse(R"({"action":"transcript"})"));
    auto run = [&](const json::value& macro) {
        return admin.call("POST", "/conversations/5501/macros/" + std::string(macro.at("id").as_string()));
    };
    // No address among his details: refused, in words; the label stays.
    auto refused = run(to_user);
    BOOST_TEST(refused.status == 409u, refused.body);
    BOOST_TEST(refused.body.find("Mail it, action 2 of 2 (transcript): the user has no email among their details") !=
                   std::string::npos,
               refused.body);
    BOOST_TEST(admin.json("GET", "/conversations/5501").at("labels") == json::parse(R"(["mailed"])"));
    BOOST_TEST(smtp.mails().empty());

    admin.json("PUT", "/conversations/5501/attributes", R"({"attributes":{"email":"bo@example.com"}})");
    BOOST_TEST(run(to_user).status == 200u);
    auto mail = smtp.wait_for(1)[0];
    BOOST_TEST(mail.to == std::vector<std::string>{"bo@example.com"}, boost::test_tools::per_element());
    BOOST_TEST(mail.header("Subject") == "Your conversation with us");
    BOOST_TEST(mail.part("text/plain").find("] Administrator: Hello Bo") != std::string::npos, mail.part("text/plain"));
    auto audit = admin.json("GET", "/audit-log").at("entries").as_array();
    BOOST_TEST(audit[0].at("action").as_string() == "transcript.emailed");
    BOOST_TEST(audit[0].at("actor").as_string() == "admin");
    BOOST_TEST(audit[0].at("details").at("to").as_string() == "bo@example.com");

    // To an address the macro names.
    auto to_lead = admin.json("POST", "/macros",
                              R"({"name":"To the lead","actions":[{"action":"transcript","to":" lead@example.com "}]})", 201);
    BOOST_TEST(to_lead.at("actions").at(0) == json::parse(R"({"action":"transcript","to":"lead@example.com"})"));
    BOOST_TEST(run(to_lead).status == 200u);
    BOOST_TEST(smtp.wait_for(2)[1].to == std::vector<std::string>{"lead@example.com"}, boost::test_tools::per_element());

    // Bad input changes nothing: a bad address; an automation's (it is no
    // agent who knows the user asked); a bulk action's.
    auto bad = admin.call("POST", "/macros", R"({"name":"Bad","actions":[{"action":"transcript","to":"nope"}]})");
    BOOST_TEST(bad.status == 400u, bad.body);
    BOOST_TEST(refused_field(bad) == "actions");
    auto automated = admin.call("POST", "/automations",
                                R"({"name":"Mail all","event":"user_message","actions":[{"action":"transcript"}]})");
    BOOST_TEST(automated.status == 400u, automated.body);
    BOOST_TEST(automated.body.find("e-mails no transcript") != std::string::npos, automated.body);
    auto bulk = admin.call("POST", "/conversations/bulk", R"({"phones":["5501"],"action":"transcript"})");
    BOOST_TEST(bulk.status == 400u, bulk.body);
    BOOST_TEST(admin.json("GET", "/macros").at("macros").as_array().size() == 2u);
    BOOST_TEST(admin.json("GET", "/automations").at("automations").as_array().empty());
    BOOST_TEST(smtp.mails().size() == 2u);

    // Without a mail server, the step is refused and says what is missing.
    server_process no_mail;
    auto other = admin_client(no_mail);
    user_says(no_mail.port(), "5502", "hi");
    auto macro = other.json("POST", "/macros",
                            R"({"name":"Mail it","actions":[{"action":"transcript","to":"a@example.com"}]})", 201);
    auto none = other.call("POST", "/conversations/5502/macros/" + std::string(macro.at("id").as_string()));
    BOOST_TEST(none.status == 409u, none.body);
    BOOST_TEST(none.body.find("--smtp-url") != std::string::npos, none.body);
}

BOOST_AUTO_TEST_SUITE_END()
