// An agent's filing in the conversation's history, as Chatwoot's activity
// messages: each change of its labels, priority or team leaves a line
// saying what changed and who changed it, which the user never sees and
// which moves neither the list nor the unread count.
#include "api_session.hpp"
#include "http_client.hpp"
#include "receiver.hpp"
#include "server_process.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::test;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(filing)

BOOST_AUTO_TEST_CASE(each_change_of_labels_priority_or_team_leaves_a_line_saying_who) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    admin.json("PUT", "/teams/billing", R"({"members":["bob"]})", 201);
    user_says(p, "15550001", "support");
    user_says(p, "15550002", "hi");
    ws_client ws(p, "/ws?token=" + bob.token);
    ws.next_of_type("hello");
    const std::string ana = "/conversations/15550001";
    auto before = admin.json("GET", ana);
    auto order = [&] {
        std::vector<std::string> phones;
        auto listed = admin.json("GET", "/conversations");  // named: the loop's object must outlive it
        for (auto& c : listed.at("conversations").as_array()) phones.emplace_back(c.at("phone").as_string());
        return phones;
    };
    auto order_before = order();
    BOOST_TEST(order_before.size() == 2u);
    auto line = [&] {
        auto m = ws.next_of_type("message.created").at("data").as_object();
        BOOST_TEST(m.at("type") == "system");
        BOOST_TEST(m.at("sender") == "bot");
        return std::string(m.at("text").as_string());
    };

    bob.json("PUT", ana + "/labels", R"({"labels":["vip","billing"]})");
    BOOST_TEST(line() == "Labels billing and vip added by bob");
    bob.json("PUT", ana + "/labels", R"({"labels":["billing","vip"]})");  // the same: no line
    bob.json("PUT", ana + "/labels", R"({"labels":["vip","refund"]})");
    BOOST_TEST(line() == "Labels refund added, billing removed by bob");
    bob.json("PUT", ana + "/labels", R"({"labels":["refund"]})");
    BOOST_TEST(line() == "Label vip removed by bob");
    bob.json("PUT", ana + "/priority", R"({"priority":"urgent"})");
    BOOST_TEST(line() == "Priority set to urgent by bob");
    bob.json("PUT", ana + "/priority", R"({"priority":"none"})");
    BOOST_TEST(line() == "Priority cleared by bob");
    bob.json("PUT", ana + "/team", R"({"team":"billing"})");
    BOOST_TEST(line() == "Filed under the team billing by bob");
    admin.json("DELETE", "/teams/billing");
    BOOST_TEST(line() == "Taken out of the team billing by admin");
    // A bulk action's, as its own route's.
    act_in_bulk(bob, {"15550001"}, json::object{{"action", "label"}, {"label", "vip"}});
    BOOST_TEST(line() == "Label vip added by bob");

    // Kept in the history, in order; no activity: the list's order, the row's
    // last message and the unread count are as they were.
    auto after = admin.json("GET", ana);
    std::vector<std::string> kept;
    for (auto& m : after.at("messages").as_array())
        if (m.at("type") == "system") kept.emplace_back(m.at("text").as_string());
    BOOST_TEST(kept == (std::vector<std::string>{
                           "Labels billing and vip added by bob", "Labels refund added, billing removed by bob",
                           "Label vip removed by bob", "Priority set to urgent by bob", "Priority cleared by bob",
                           "Filed under the team billing by bob", "Taken out of the team billing by admin",
                           "Label vip added by bob"}),
               boost::test_tools::per_element());
    BOOST_TEST(after.at("last_message") == before.at("last_message"));
    BOOST_TEST(after.at("unread") == before.at("unread"));
    BOOST_TEST(order() == order_before, boost::test_tools::per_element());

    // The user never sees one: what reaches them is the claim's words and bob's reply.
    bob.json("POST", ana + "/chat-support/start");
    bob.json("POST", ana + "/chat-support/send", R"({"text":"Hello"})", 201);
    outbound.wait_for_text("15550001", "Hello");
    for (auto& r : outbound.requests()) BOOST_TEST(r.body.find(" by ") == std::string::npos, r.body);
}

// An automation's filing is signed `automation`, a macro's by whoever ran it.
BOOST_AUTO_TEST_CASE(an_automations_filing_is_signed_automation_and_a_macros_its_runner) {
    server_process server;
    auto p = server.port();
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    admin.json("POST", "/automations",
               R"({"name":"Refunds","event":"user_message","contains":["refund"],)"
               R"("actions":[{"action":"label","label":"billing"},{"action":"priority","priority":"urgent"}]})",
               201);
    auto macro = admin.json("POST", "/macros", R"({"name":"Calm down","actions":[{"action":"priority","priority":"low"}]})",
                            201);
    ws_client ws(p, "/ws?token=" + bob.token);
    ws.next_of_type("hello");
    auto line = [&] {
        for (;;) {
            auto m = ws.next_of_type("message.created").at("data").as_object();
            if (m.at("type") == "system") return std::string(m.at("text").as_string());
        }
    };
    user_says(p, "15550003", "I want a refund");
    BOOST_TEST(line() == "Label billing added by automation");
    BOOST_TEST(line() == "Priority set to urgent by automation");
    bob.json("POST", "/conversations/15550003/macros/" + std::string(macro.at("id").as_string()));
    BOOST_TEST(line() == "Priority set to low by bob");
}

BOOST_AUTO_TEST_SUITE_END()
