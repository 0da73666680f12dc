// A user's chats, newest first, against the real server: who opened each,
// who had it, how it ended and its score, a page at a time, in memory and
// across a restart.
#include "api_session.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

#include <csignal>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// Spins until the clock the server reads too shows a later millisecond:
// each chat then opens in a millisecond of its own, which the test orders by.
void next_millisecond() {
    auto ms = [] { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); };
    for (auto start = ms(); ms() == start;) {
    }
}

// Three chats with 6201 and one with 6202: the first rated 2, ended by the
// user; the second opened by bob, ended by him and rated 5; the third
// waiting in the queue. Returns the tickets, oldest first.
std::vector<std::string> three_chats(unsigned short p, const api_client& bob) {
    std::vector<std::string> tickets;
    user_says(p, "6201", "support", "Ivy");
    tickets.emplace_back(bob.json("POST", "/conversations/6201/chat-support/start").at("support_ticket_id").as_string());
    bob.json("PUT", "/conversations/6201/labels", R"({"labels":["refund"]})");
    bob.json("POST", "/conversations/6201/chat-support/send", R"({"text":"Hello Ivy"})", 201);
    user_says(p, "6201", "end chat");
    user_says(p, "6201", "2");
    next_millisecond();
    tickets.emplace_back(bob.json("POST", "/conversations/6201/chat-support/start").at("support_ticket_id").as_string());
    bob.json("POST", "/conversations/6201/chat-support/end");
    user_says(p, "6201", "5");
    next_millisecond();
    user_says(p, "6201", "support");
    tickets.emplace_back(bob.json("GET", "/conversations/6201").at("support_ticket_id").as_string());
    user_says(p, "6202", "support", "Jo");
    return tickets;
}

// The message a chat begins with (its first_seq).
json::value first_message(const api_client& agent, const json::value& chat) {
    auto seq = chat.at("first_seq").to_number<std::uint64_t>();
    auto page = agent.json("GET", "/conversations/6201/messages?limit=1&before=" + std::to_string(seq + 1));
    BOOST_REQUIRE(page.at("messages").as_array().size() == 1u);
    auto m = page.at("messages").at(0);
    BOOST_TEST(m.at("seq").to_number<std::uint64_t>() == seq);
    return m;
}

void check_the_three(const api_client& agent, const std::vector<std::string>& tickets) {
    auto all = agent.json("GET", "/conversations/6201/chats");
    BOOST_TEST(all.at("next_before").is_null());
    auto& chats = all.at("chats").as_array();
    BOOST_REQUIRE(chats.size() == 3u);
    auto queued = chats[0], second = chats[1], first = chats[2];
    BOOST_TEST(queued.at("ticket").as_string() == tickets[2]);
    BOOST_TEST(queued.at("opened_by") == "user");
    BOOST_TEST(!queued.at("queued_at").is_null());
    BOOST_TEST(queued.at("agent").is_null());
    BOOST_TEST(queued.at("closed_at").is_null());
    BOOST_TEST(queued.at("close_reason").is_null());
    BOOST_TEST(queued.at("rating").is_null());

    BOOST_TEST(second.at("ticket").as_string() == tickets[1]);
    BOOST_TEST(second.at("opened_by") == "agent");
    BOOST_TEST(second.at("queued_at").is_null());
    BOOST_TEST(second.at("agent") == "bob");
    BOOST_TEST(second.at("first_response_at").is_null());
    BOOST_TEST(second.at("close_reason") == "agent");
    BOOST_TEST(second.at("rating") == 5);
    BOOST_TEST(second.at("labels") == json::array{"refund"});  // the conversation's, while it was open

    BOOST_TEST(first.at("ticket").as_string() == tickets[0]);
    BOOST_TEST(first.at("opened_by") == "user");
    BOOST_TEST(first.at("agent") == "bob");
    BOOST_TEST(!first.at("first_response_at").is_null());
    BOOST_TEST(first.at("close_reason") == "user");
    BOOST_TEST(first.at("rating") == 2);
    BOOST_TEST(first.at("opened_at").as_string() < second.at("opened_at").as_string());
    BOOST_TEST(first.at("closed_at").as_string() <= second.at("opened_at").as_string());

    // Where each begins in the history: the user's `support`, or what
    // followed an agent opening it.
    BOOST_TEST(first_message(agent, first).at("text") == "support");
    BOOST_TEST(first_message(agent, queued).at("text") == "support");
    auto opened = first_message(agent, second);
    BOOST_TEST(opened.at("text").as_string() != "support");
    BOOST_TEST(opened.at("timestamp").as_string() >= second.at("opened_at").as_string());
    BOOST_TEST(first.at("first_seq").to_number<std::uint64_t>() < second.at("first_seq").to_number<std::uint64_t>());
    BOOST_TEST(second.at("first_seq").to_number<std::uint64_t>() < queued.at("first_seq").to_number<std::uint64_t>());

    // A page at a time.
    auto page = agent.json("GET", "/conversations/6201/chats?limit=2");
    BOOST_TEST(page.at("chats").as_array().size() == 2u);
    BOOST_TEST(page.at("next_before").as_string().ends_with("_" + std::string(second.at("ticket").as_string())));
    auto rest = agent.json("GET", "/conversations/6201/chats?limit=2&before=" +
                                      std::string(page.at("next_before").as_string()));
    BOOST_TEST(rest.at("chats").as_array().size() == 1u);
    BOOST_TEST(rest.at("chats").at(0).at("ticket").as_string() == tickets[0]);
    BOOST_TEST(rest.at("next_before").is_null());

    auto other = agent.json("GET", "/conversations/6202/chats");
    BOOST_TEST(other.at("chats").as_array().size() == 1u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(past_chats)

BOOST_AUTO_TEST_CASE(a_users_chats_are_listed_newest_first_with_how_each_ended) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    std::vector<std::string> tickets;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        tickets = three_chats(p, bob);
        check_the_three(bob, tickets);

        // Bad input: a clear error.
        BOOST_TEST(refused_field(bob.call("GET", "/conversations/6201/chats?before=yesterday")) == "before");
        BOOST_TEST(refused_field(bob.call("GET", "/conversations/6201/chats?before=17_")) == "before");
        BOOST_TEST(refused_field(bob.call("GET", "/conversations/6201/chats?limit=0")) == "limit");
        BOOST_TEST(refused_field(bob.call("GET", "/conversations/6201/chats?limit=101")) == "limit");
        BOOST_TEST(bob.call("GET", "/conversations/6299/chats").status == 404u);
        BOOST_TEST(http_request(p, "GET", "/conversations/6201/chats").status == 401u);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto p = server.port();
    check_the_three(api_client{p, login(p, "bob", "secret-bob")}, tickets);
}

BOOST_AUTO_TEST_CASE(the_memory_store_lists_them_alike) {
    server_process server({"--admin-password", known_admin_password});
    auto p = server.port();
    auto admin = known_admin(p);
    auto bob = agent_client(admin, "bob");
    check_the_three(bob, three_chats(p, bob));
}

BOOST_AUTO_TEST_SUITE_END()
