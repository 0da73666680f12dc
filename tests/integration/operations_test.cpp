// Support operations against the real server: the queue, automatic routing,
// reassignment, CSAT and reports, and the streamed export.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include "switchboard/core/time.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string assignee_of(const api_client& c, const std::string& phone) {
    auto v = c.json("GET", "/conversations/" + phone);
    return v.at("assignee").is_null() ? std::string{} : std::string(v.at("assignee").as_string());
}

// Waits until the routing loop has run `rounds` more times than now.
void let_routing_run(unsigned short port, int rounds) {
    auto now = read_metric(port, "switchboard_routing_rounds_total");
    wait_for_metric(port, "switchboard_routing_rounds_total", now + rounds);
}

long long vm_kb(int pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
    return -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(operations)

BOOST_AUTO_TEST_CASE(the_queue_keeps_order_and_tells_users_when_they_move_up) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto admin = admin_client(server);
    auto p = server.port();
    for (auto phone : {"3001", "3002", "3003"}) user_says(p, phone, "support");
    auto q = admin.json("GET", "/queue").at("queue").as_array();
    BOOST_REQUIRE(q.size() == 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(q[i].at("phone").as_string() == "300" + std::to_string(i + 1));
        BOOST_TEST(q[i].at("position").as_int64() == static_cast<std::int64_t>(i + 1));
    }
    admin.json("POST", "/conversations/3001/chat-support/start");
    auto moved = outbound.wait_for_text("3002", "number 1 in the queue");
    BOOST_TEST(!moved.empty());
    outbound.wait_for_text("3003", "number 2 in the queue");
    q = admin.json("GET", "/queue").at("queue").as_array();
    BOOST_TEST(q.size() == 2u);
    BOOST_TEST(q[0].at("phone").as_string() == "3002");
    BOOST_TEST(admin.json("GET", "/conversations/3003").at("queue_position").as_int64() == 2);

    // At most one notice a minute: moving up again soon says nothing more.
    admin.json("POST", "/conversations/3002/chat-support/start");
    user_says(p, "3004", "support");  // something later to wait for, in order
    outbound.wait_for_text("3002", "chatting with");
    auto notices = 0;
    for (auto& r : outbound.requests())
        if (json::parse(r.body).at("to").as_string() == "3003") ++notices;
    BOOST_TEST(notices == 1);
}

BOOST_AUTO_TEST_CASE(round_robin_spreads_chats_over_available_connected_agents_within_capacity) {
    server_process server({"--routing", "round-robin"});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto carol = agent_client(admin, "carol");
    auto dave = agent_client(admin, "dave");  // never connects: never gets a chat
    ws_client bob_ws(server.port(), "/ws?token=" + bob.token);
    ws_client carol_ws(server.port(), "/ws?token=" + carol.token);
    admin.json("PATCH", "/agents/admin", R"({"available":false})");  // the admin only watches
    admin.json("PATCH", "/agents/carol", R"({"max_chats":1})");
    auto p = server.port();

    for (auto phone : {"4001", "4002", "4003", "4004"}) user_says(p, phone, "support");
    wait_for_metric(p, "switchboard_routing_assigned_total", 3);
    let_routing_run(p, 2);
    std::map<std::string, int> per_agent;
    for (auto phone : {"4001", "4002", "4003", "4004"}) ++per_agent[assignee_of(admin, phone)];
    BOOST_TEST(per_agent["carol"] == 1);  // her capacity
    BOOST_TEST(per_agent["bob"] == 3);
    BOOST_TEST(per_agent["dave"] == 0);
    BOOST_TEST(per_agent["admin"] == 0);

    // Nobody free: the next chat waits in the queue.
    admin.json("PATCH", "/agents/bob", R"({"available":false})");
    user_says(p, "4005", "support");
    let_routing_run(p, 3);
    BOOST_TEST(assignee_of(admin, "4005").empty());
    BOOST_TEST(admin.json("GET", "/conversations/4005").at("queue_position").as_int64() == 1);
    // Capacity frees up: it is assigned.
    carol.json("POST", "/conversations/" + std::string(per_agent["carol"] ? "" : "") +
                           (assignee_of(admin, "4001") == "carol" ? "4001" : assignee_of(admin, "4002") == "carol" ? "4002" : assignee_of(admin, "4003") == "carol" ? "4003" : "4004") +
                           "/chat-support/end");
    wait_for_metric(p, "switchboard_routing_assigned_total", 5);
    BOOST_TEST(assignee_of(admin, "4005") == "carol");
}

BOOST_AUTO_TEST_CASE(least_busy_picks_the_agent_with_fewest_chats) {
    server_process server({"--routing", "least-busy"});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto carol = agent_client(admin, "carol");
    admin.json("PATCH", "/agents/admin", R"({"available":false})");
    auto p = server.port();
    // Bob already has two chats he claimed by hand.
    for (auto phone : {"5001", "5002"}) {
        user_says(p, phone, "support");
        bob.json("POST", std::string("/conversations/") + phone + "/chat-support/start");
    }
    ws_client bob_ws(p, "/ws?token=" + bob.token);
    ws_client carol_ws(p, "/ws?token=" + carol.token);
    for (auto phone : {"5003", "5004", "5005"}) user_says(p, phone, "support");
    wait_for_metric(p, "switchboard_routing_assigned_total", 3);
    std::map<std::string, int> per_agent;
    for (auto phone : {"5003", "5004", "5005"}) ++per_agent[assignee_of(admin, phone)];
    BOOST_TEST(per_agent["carol"] == 2);  // 0 → 1 → 2 while bob has 2
    BOOST_TEST(per_agent["bob"] == 1);
}

// A chat filed under a team goes to its members alone, and waits while
// they are full; the chats behind it still go to whoever is free.
BOOST_AUTO_TEST_CASE(routing_gives_a_teams_chat_to_its_members_alone) {
    server_process server({"--routing", "least-busy"});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto carol = agent_client(admin, "carol");
    admin.json("PATCH", "/agents/admin", R"({"available":false})");
    admin.json("PATCH", "/agents/carol", R"({"max_chats":1})");
    admin.json("PUT", "/teams/billing", R"({"members":["carol"]})", 201);
    auto p = server.port();
    ws_client bob_ws(p, "/ws?token=" + bob.token);
    ws_client carol_ws(p, "/ws?token=" + carol.token);
    // Filed before they ask for support, so that no round sees them unfiled.
    for (auto phone : {"5101", "5102", "5103"}) user_says(p, phone, "hi");
    for (auto phone : {"5101", "5102"}) admin.json("PUT", std::string("/conversations/") + phone + "/team", R"({"team":"billing"})");
    for (auto phone : {"5101", "5102", "5103"}) user_says(p, phone, "support");

    wait_for_metric(p, "switchboard_routing_assigned_total", 2);
    let_routing_run(p, 2);
    BOOST_TEST(assignee_of(admin, "5101") == "carol");  // bob, free and first by name, is not in billing
    BOOST_TEST(assignee_of(admin, "5102").empty());     // carol is full: it waits for her team
    BOOST_TEST(assignee_of(admin, "5103") == "bob");    // behind it, under no team: anyone
    BOOST_TEST(admin.json("GET", "/conversations/5102").at("queue_position").as_int64() == 1);

    admin.json("PUT", "/teams/billing", R"({"members":["bob","carol"]})");
    wait_for_metric(p, "switchboard_routing_assigned_total", 3);
    BOOST_TEST(assignee_of(admin, "5102") == "bob");
}

BOOST_AUTO_TEST_CASE(an_unanswered_chat_goes_back_to_the_head_of_the_queue) {
    server_process server({"--reassign-after", "1"});
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    user_says(p, "6001", "support");
    user_says(p, "6002", "support");
    bob.json("POST", "/conversations/6001/chat-support/start");
    bob.json("POST", "/conversations/6002/chat-support/start");
    bob.json("POST", "/conversations/6002/chat-support/send", R"({"text":"on it"})", 201);  // answered: stays
    user_says(p, "6004", "support");
    bob.json("POST", "/conversations/6004/chat-support/start");
    auto in_an_hour = switchboard::to_iso8601(std::chrono::system_clock::now() + std::chrono::hours(1));
    bob.json("PUT", "/conversations/6004/snooze", R"({"until":")" + in_an_hour + R"("})");  // put aside: stays
    user_says(p, "6003", "support");  // queued after bob took 6001
    wait_for_metric(p, "switchboard_routing_requeued_total", 1);
    let_routing_run(p, 2);
    BOOST_TEST(assignee_of(admin, "6001").empty());
    BOOST_TEST(assignee_of(admin, "6002") == "bob");
    BOOST_TEST(assignee_of(admin, "6004") == "bob");
    auto q = admin.json("GET", "/queue").at("queue").as_array();
    BOOST_REQUIRE(q.size() == 2u);
    BOOST_TEST(q[0].at("phone").as_string() == "6001");  // the head, ahead of 6003
    BOOST_TEST(read_metric(p, "switchboard_routing_requeued_total") == 1);
}

// An agent who snoozed a chat they had not answered has --reassign-after
// from its wake to answer it, not what was left of it from the claim:
// woken by its time (6101) or by the user (6102).
BOOST_AUTO_TEST_CASE(a_snoozed_chat_wakes_with_its_time_to_answer_whole) {
    server_process server({"--reassign-after", "3", "--idle-timeout", "8"});  // a sweep each 2 s
    auto admin = admin_client(server);
    auto bob = agent_client(admin, "bob");
    auto p = server.port();
    user_says(p, "6101", "support");
    user_says(p, "6102", "support");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    auto until = [](std::chrono::seconds from_now) {
        return R"({"until":")" + switchboard::to_iso8601(std::chrono::system_clock::now() + from_now) + R"("})";
    };
    for (auto phone : {"6101", "6102"}) bob.json("POST", std::string("/conversations/") + phone + "/chat-support/start");
    bob.json("PUT", "/conversations/6101/snooze", until(1s));
    bob.json("PUT", "/conversations/6102/snooze", until(1h));
    auto at = [](const boost::json::object& event) { return *switchboard::parse_iso8601(event.at("at").as_string()); };

    std::optional<std::chrono::system_clock::time_point> woke_at;
    while (!woke_at) {
        auto e = ws.next_of_type("message.created", 10s);
        if (e.at("data").at("text").as_string() == "Snooze ended") woke_at = at(e);
    }
    BOOST_TEST(ws.next_of_type("conversation.updated").at("conversation").as_string() == "6101");
    user_says(p, "6102", "hello?");
    auto wrote_at = at(ws.next_of_type("message.created"));
    std::map<std::string, std::chrono::system_clock::time_point> queued_at;
    while (queued_at.size() < 2) {
        auto e = ws.next_of_type("chat.queued", 10s);
        queued_at[std::string(e.at("conversation").as_string())] = at(e);
    }
    BOOST_TEST((queued_at["6101"] - *woke_at >= 3s));
    BOOST_TEST((queued_at["6102"] - wrote_at >= 3s));
    BOOST_TEST(assignee_of(admin, "6101").empty());
}

BOOST_AUTO_TEST_CASE(csat_is_stored_with_the_chat_and_agent_and_reported) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto bob = agent_client(admin, "bob");
        auto p = server.port();
        user_says(p, "7001", "support");
        bob.json("POST", "/conversations/7001/chat-support/start");
        bob.json("POST", "/conversations/7001/chat-support/send", R"({"text":"hello"})", 201);
        bob.json("POST", "/conversations/7001/chat-support/end");
        BOOST_TEST(user_says(p, "7001", "4").at("state").as_string() == "IDLE");
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);  // figures come from the store: right after a restart
    auto admin = known_admin(server.port());
    auto r = admin.json("GET", "/reports/summary");
    auto& overall = r.at("overall");
    BOOST_TEST(overall.at("chats_opened").as_int64() == 1);
    BOOST_TEST(overall.at("chats_closed").as_int64() == 1);
    BOOST_TEST(overall.at("csat").at("average").to_number<double>() == 4.0);
    BOOST_TEST(overall.at("csat").at("count").as_int64() == 1);
    BOOST_TEST(overall.at("first_response_seconds").at("count").as_int64() == 1);
    BOOST_TEST(overall.at("queue_wait_seconds").at("count").as_int64() == 1);
    auto& agents = r.at("agents").as_array();
    BOOST_REQUIRE(agents.size() == 1u);
    BOOST_TEST(agents[0].at("agent").as_string() == "bob");
    BOOST_TEST(agents[0].at("csat").at("average").to_number<double>() == 4.0);
    auto rows = sqlite_rows(dir.path() / "switchboard.db", "SELECT agent, score FROM ratings");
    BOOST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0][0] == "bob");
}

// A data directory with the schema and nothing else, for a fixture written
// into it; the flags that start a server on it.
std::vector<std::string> schema_only(const temp_dir& dir) {
    auto args = kept_in(dir.path());
    server_process server(args);
    server.send_signal(SIGTERM);
    server.wait_exit(5s);
    return args;
}

// Reports by team, as Chatwoot's team reports: a chat counts for the team
// its conversation was filed under while it was open, last; a change after
// it ended files the conversation, not the chat. Kept across a restart.
BOOST_AUTO_TEST_CASE(report_counts_each_chat_for_the_team_it_was_filed_under) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto bob = agent_client(admin, "bob");
        auto p = server.port();
        admin.json("PUT", "/teams/billing", R"({"members":["bob"]})", 201);
        admin.json("PUT", "/teams/tech", R"({"members":[]})", 201);
        auto file = [&](const std::string& phone, const std::string& team) {
            admin.json("PUT", "/conversations/" + phone + "/team", R"({"team":)" + team + "}");
        };
        user_says(p, "7201", "support");  // opened under none, filed while open: billing's
        file("7201", R"("tech")");
        file("7201", R"("billing")");
        bob.json("POST", "/conversations/7201/chat-support/start");
        bob.json("POST", "/conversations/7201/chat-support/send", R"({"text":"refunded"})", 201);
        bob.json("POST", "/conversations/7201/chat-support/end");
        user_says(p, "7201", "5");
        file("7201", R"("tech")");        // after its end: the chat stays billing's
        for (auto phone : {"7202", "7203"}) {
            user_says(p, phone, "hi");
            file(phone, R"("tech")");
            user_says(p, phone, "support");  // opened under tech, still open
        }
        file("7203", "null");             // taken out while open: none's, overall only
        user_says(p, "7204", "support");
        file("7204", R"("billing")");     // filed while open, still open
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    auto r = admin.json("GET", "/reports/summary");
    BOOST_TEST(r.at("overall").at("chats_opened").as_int64() == 4);
    auto& teams = r.at("teams").as_array();
    BOOST_TEST_REQUIRE(teams.size() == 2u);
    auto& billing = teams[0];
    BOOST_TEST(billing.at("team").as_string() == "billing");
    BOOST_TEST(billing.at("chats_opened").as_int64() == 2);
    BOOST_TEST(billing.at("chats_closed").as_int64() == 1);
    BOOST_TEST(billing.at("csat").at("average").to_number<double>() == 5.0);
    BOOST_TEST(billing.at("first_response_seconds").at("count").as_int64() == 1);
    auto& tech = teams[1];
    BOOST_TEST(tech.at("team").as_string() == "tech");
    BOOST_TEST(tech.at("chats_opened").as_int64() == 1);
    BOOST_TEST(tech.at("chats_closed").as_int64() == 0);
    BOOST_TEST(tech.at("csat").at("count").as_int64() == 0);
    auto csv = admin.call("GET", "/reports/summary?format=csv").body;
    BOOST_TEST(csv.find("\r\nteam:billing,2,1,5,1,") != std::string::npos, csv);
    BOOST_TEST(csv.find("\r\nteam:tech,1,0,,0,") != std::string::npos, csv);
}

// Reports by label, as Chatwoot's label reports: a chat counts under each
// label its conversation had while it was open, last, by a label's own
// route or a bulk action's; one put on after it ended files the
// conversation, not the chat. Kept across a restart.
BOOST_AUTO_TEST_CASE(report_counts_each_chat_under_the_labels_it_had_while_open) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto p = server.port();
        auto label = [&](const std::string& phone, const std::string& labels) {
            admin.json("PUT", "/conversations/" + phone + "/labels", R"({"labels":)" + labels + "}");
        };
        user_says(p, "7301", "hi");
        label("7301", R"(["vip"])");         // before the chat: it opens under vip
        user_says(p, "7301", "support");
        label("7301", R"(["refund","vip"])");  // and gains refund while open
        admin.json("POST", "/conversations/7301/chat-support/start");
        admin.json("POST", "/conversations/7301/chat-support/send", R"({"text":"refunded"})", 201);
        admin.json("POST", "/conversations/7301/chat-support/end");
        user_says(p, "7301", "4");
        label("7301", R"(["late"])");         // after its end: the chat keeps its own
        user_says(p, "7302", "support");
        admin.json("POST", "/conversations/bulk",
                   R"({"phones":["7302"],"action":"label","label":"refund"})");  // one put on by a bulk action
        user_says(p, "7303", "support");
        label("7303", R"(["vip"])");
        label("7303", "[]");                   // taken off while open: overall only
        user_says(p, "7304", "hi");
        label("7304", R"(["vip"])");           // opened under vip, still open
        user_says(p, "7304", "support");
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    auto r = admin.json("GET", "/reports/summary");
    BOOST_TEST(r.at("overall").at("chats_opened").as_int64() == 4);
    auto& labels = r.at("labels").as_array();
    BOOST_TEST_REQUIRE(labels.size() == 2u, json::serialize(labels));
    auto& refund = labels[0];
    BOOST_TEST(refund.at("label").as_string() == "refund");
    BOOST_TEST(refund.at("chats_opened").as_int64() == 2);
    BOOST_TEST(refund.at("chats_closed").as_int64() == 1);
    BOOST_TEST(refund.at("csat").at("average").to_number<double>() == 4.0);
    auto& vip = labels[1];
    BOOST_TEST(vip.at("label").as_string() == "vip");
    BOOST_TEST(vip.at("chats_opened").as_int64() == 2);
    BOOST_TEST(vip.at("chats_closed").as_int64() == 1);
    BOOST_TEST(vip.at("first_response_seconds").at("count").as_int64() == 1);
    auto csv = admin.call("GET", "/reports/summary?format=csv").body;
    BOOST_TEST(csv.find("\r\nlabel:refund,2,1,4,1,") != std::string::npos, csv);
    BOOST_TEST(csv.find("\r\nlabel:vip,2,1,4,1,") != std::string::npos, csv);
}

// Reports by channel, as Chatwoot's inbox reports: a chat counts under the
// channel its user wrote on, and so does its rating. Kept across a restart.
BOOST_AUTO_TEST_CASE(report_counts_each_chat_under_its_channel) {
    temp_dir dir;
    receiver graph;  // Meta's send API, for the bot's replies to WhatsApp users
    auto args = kept_in(dir.path());
    args.insert(args.end(), {"--wa-api-base", graph.url(), "--wa-token", "tok"});
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto p = server.port();
        whatsapp_user_says(p, "7401", "wamid.1", "support");
        admin.json("POST", "/conversations/7401/chat-support/start");
        admin.json("POST", "/conversations/7401/chat-support/send", R"({"text":"Fixed"})", 201);
        admin.json("POST", "/conversations/7401/chat-support/end");
        whatsapp_user_says(p, "7401", "wamid.2", "5");
        whatsapp_user_says(p, "7402", "wamid.3", "support");  // still open
        user_says(p, "7403", "support");
        admin.json("POST", "/conversations/7403/chat-support/start");
        admin.json("POST", "/conversations/7403/chat-support/end");
        user_says(p, "7403", "3");
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    auto r = admin.json("GET", "/reports/summary");
    BOOST_TEST(r.at("overall").at("chats_opened").as_int64() == 3);
    auto& channels = r.at("channels").as_array();
    BOOST_TEST_REQUIRE(channels.size() == 2u, json::serialize(channels));
    auto& plain = channels[0];
    BOOST_TEST(plain.at("channel").as_string() == "plain");
    BOOST_TEST(plain.at("chats_opened").as_int64() == 1);
    BOOST_TEST(plain.at("chats_closed").as_int64() == 1);
    BOOST_TEST(plain.at("csat").at("average").to_number<double>() == 3.0);
    auto& whatsapp = channels[1];
    BOOST_TEST(whatsapp.at("channel").as_string() == "whatsapp");
    BOOST_TEST(whatsapp.at("chats_opened").as_int64() == 2);
    BOOST_TEST(whatsapp.at("chats_closed").as_int64() == 1);
    BOOST_TEST(whatsapp.at("csat").at("average").to_number<double>() == 5.0);
    BOOST_TEST(whatsapp.at("first_response_seconds").at("count").as_int64() == 1);
    auto csv = admin.call("GET", "/reports/summary?format=csv").body;
    BOOST_TEST(csv.find("\r\nchannel:plain,1,1,3,1,") != std::string::npos, csv);
    BOOST_TEST(csv.find("\r\nchannel:whatsapp,2,1,5,1,") != std::string::npos, csv);
}

// Waits on the team's clock, as Chatwoot's reports offer them: a chat that
// came in ten minutes before Friday's close and was answered ten minutes
// into Monday waited twenty minutes, not sixty-four hours.
BOOST_AUTO_TEST_CASE(report_waits_count_business_hours_when_asked) {
    temp_dir dir;
    auto args = schema_only(dir);
    // t1: Friday 2026-12-04 16:50, assigned Monday 09:05, answered 09:10.
    // t2: Tuesday 10:00, assigned 10:00:30, answered 10:01, within the hours.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
INSERT INTO chats (ticket_id, phone, opened_at, opened_by, queued_at, assigned_at, agent, first_response_at) VALUES
 ('t1', '1', 1796403000000, 'user', 1796403000000, 1796634300000, 'bob', 1796634600000),
 ('t2', '2', 1796724000000, 'user', 1796724000000, 1796724030000, 'bob', 1796724060000);
)sql");
    const std::string range = "/reports/summary?from=2026-12-04T00:00:00Z&to=2026-12-09T00:00:00Z";
    auto waits = [](const json::value& r, const char* which) {
        auto& w = r.at("overall").at(which);
        return std::to_string(w.at("p50").to_number<double>()) + " " + std::to_string(w.at("p90").to_number<double>());
    };
    {
        server_process server(args);  // no hours set: every second counts, and asking for them is an error
        auto admin = known_admin(server.port());
        auto wall = admin.json("GET", range);
        BOOST_TEST(!wall.at("business_hours").as_bool());
        BOOST_TEST(waits(wall, "first_response_seconds") == "60.000000 231600.000000");
        BOOST_TEST(waits(wall, "queue_wait_seconds") == "30.000000 231300.000000");
        auto refused = admin.call("GET", range + "&business_hours=true");
        BOOST_TEST(refused.status == 400u);
        BOOST_TEST(refused.body.find(R"("field":"business_hours")") != std::string::npos, refused.body);
    }
    auto with_hours = args;
    for (auto flag : {"--business-hours", "mon-fri 09:00-17:00"}) with_hours.push_back(flag);
    {
        server_process server(with_hours);
        auto admin = known_admin(server.port());
        auto r = admin.json("GET", range + "&business_hours=true");
        BOOST_TEST(r.at("business_hours").as_bool());
        BOOST_TEST(waits(r, "first_response_seconds") == "60.000000 1200.000000");
        BOOST_TEST(waits(r, "queue_wait_seconds") == "30.000000 900.000000");
        BOOST_TEST(waits(admin.json("GET", range + "&business_hours=false"), "queue_wait_seconds") ==
                   "30.000000 231300.000000");
        BOOST_TEST(admin.call("GET", range + "&business_hours=yes").status == 400u);
    }
    // Monday a day off: only Friday's ten minutes.
    with_hours.insert(with_hours.end(), {"--days-off", "2026-12-07"});
    server_process server(with_hours);
    auto admin = known_admin(server.port());
    auto r = admin.json("GET", range + "&business_hours=true");
    BOOST_TEST(waits(r, "first_response_seconds") == "60.000000 600.000000");
    BOOST_TEST(waits(r, "queue_wait_seconds") == "30.000000 600.000000");
}

BOOST_AUTO_TEST_CASE(report_figures_match_a_hand_computed_fixture) {
    temp_dir dir;
    auto args = schema_only(dir);
    // 2026-01-01T10:00:00Z = 1767261600000. Four chats in range, one before it.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
INSERT INTO chats (ticket_id, phone, opened_at, opened_by, queued_at, assigned_at, agent, first_response_at, closed_at, close_reason) VALUES
 ('t1', '1', 1767261600000, 'user', 1767261600000, 1767261610000, 'bob',   1767261620000, 1767262000000, 'agent'),
 ('t2', '2', 1767261700000, 'user', 1767261700000, 1767261730000, 'bob',   1767261760000, 1767262100000, 'user'),
 ('t3', '3', 1767261800000, 'user', 1767261800000, 1767261890000, 'carol', 1767261980000, NULL, ''),
 ('t4', '4', 1767261900000, 'agent', NULL,         1767261900000, 'carol', 1767261905000, 1767262200000, 'agent'),
 ('t0', '5', 1767200000000, 'user', 1767200000000, 1767200001000, 'bob',   1767200002000, 1767261650000, 'agent'),
 ('t5', '6', 1767200000000, 'user', 1767200000000, NULL,          '',      NULL,          1767261700000, 'timeout');
INSERT INTO ratings (phone, ticket_id, agent, score, at) VALUES
 ('1', 't1', 'bob', 5, 1767262010000), ('2', 't2', 'bob', 2, 1767262110000),
 ('4', 't4', 'carol', 4, 1767262210000), ('5', 't0', 'bob', 1, 1767200005000);
)sql");
    server_process server(args);
    auto admin = known_admin(server.port());
    auto raw = admin.call("GET", "/reports/summary?from=2026-01-01T10:00:00Z&to=2026-01-01T11:00:00Z");
    BOOST_REQUIRE(raw.status == 200u);
    // Numbers as people write them, not Boost.JSON's 3.67E0 and 2E1.
    BOOST_TEST(raw.body.find(R"("average":3.67,)") != std::string::npos);
    BOOST_TEST(raw.body.find(R"("p50":20,)") != std::string::npos);
    BOOST_TEST(raw.body.find("E0") == std::string::npos);
    auto r = json::parse(raw.body);
    auto& o = r.at("overall");
    // Opened in range: t1..t4. Closed in range: t1, t2, t4, t0 (closed at
    // 10:00:50) and t5 (its user left the queue, timed out at 10:01:40).
    BOOST_TEST(o.at("chats_opened").as_int64() == 4);
    BOOST_TEST(o.at("chats_closed").as_int64() == 5);
    // Ratings in range: 5, 2, 4 → 3.67, to two decimals.
    BOOST_TEST(o.at("csat").at("average").to_number<double>() == 3.67);
    BOOST_TEST(o.at("csat").at("count").as_int64() == 3);
    // Asked to rate: the chats closed in range by their user or an agent,
    // t1, t2, t4 and t0, not t5, which timed out; rated in range, 3 of them.
    BOOST_TEST(o.at("csat").at("surveys").as_int64() == 4);
    BOOST_TEST(o.at("csat").at("response_rate").to_number<double>() == 0.75);
    BOOST_TEST(json::serialize(o.at("csat").at("distribution")) == R"({"1":0,"2":1,"3":0,"4":1,"5":1})");
    // First response (s): 20, 60, 180, 5 → sorted 5, 20, 60, 180: p50 = 20, p90 = 180.
    BOOST_TEST(o.at("first_response_seconds").at("p50").to_number<double>() == 20.0);
    BOOST_TEST(o.at("first_response_seconds").at("p90").to_number<double>() == 180.0);
    // Queue wait (s), queued chats only: 10, 30, 90 → p50 = 30, p90 = 90.
    BOOST_TEST(o.at("queue_wait_seconds").at("p50").to_number<double>() == 30.0);
    BOOST_TEST(o.at("queue_wait_seconds").at("p90").to_number<double>() == 90.0);
    BOOST_TEST(o.at("queue_wait_seconds").at("count").as_int64() == 3);

    auto& agents = r.at("agents").as_array();
    BOOST_REQUIRE(agents.size() == 2u);
    auto& bob = agents[0];
    BOOST_TEST(bob.at("agent").as_string() == "bob");
    BOOST_TEST(bob.at("chats_opened").as_int64() == 2);
    BOOST_TEST(bob.at("chats_closed").as_int64() == 3);
    BOOST_TEST(bob.at("csat").at("average").to_number<double>() == 3.5);  // 5 and 2
    BOOST_TEST(bob.at("csat").at("response_rate").to_number<double>() == 0.67);  // 2 of t1, t2 and t0
    BOOST_TEST(bob.at("first_response_seconds").at("p50").to_number<double>() == 20.0);
    auto& carol = agents[1];
    BOOST_TEST(carol.at("chats_opened").as_int64() == 2);
    BOOST_TEST(carol.at("chats_closed").as_int64() == 1);
    BOOST_TEST(carol.at("queue_wait_seconds").at("p50").to_number<double>() == 90.0);
    // Resolution (s), opened to closed, for chats closed in range: t4 300,
    // t1 400, t2 400, t0 61,650 → p50 = 400, p90 = 61,650.
    BOOST_TEST(o.at("resolution_seconds").at("p50").to_number<double>() == 400.0);
    BOOST_TEST(o.at("resolution_seconds").at("p90").to_number<double>() == 61650.0);
    BOOST_TEST(o.at("resolution_seconds").at("count").as_int64() == 4);
    BOOST_TEST(bob.at("resolution_seconds").at("p90").to_number<double>() == 61650.0);
    BOOST_TEST(carol.at("resolution_seconds").at("p50").to_number<double>() == 300.0);
    BOOST_TEST(!r.as_object().contains("days"));  // only when asked

    // The same as a spreadsheet opens it: the team's row, then each agent's, then each channel's.
    auto csv = admin.call("GET", "/reports/summary?from=2026-01-01T10:00:00Z&to=2026-01-01T11:00:00Z&format=csv");
    BOOST_TEST(csv.status == 200u);
    BOOST_TEST(csv.header("content-type") == "text/csv; charset=utf-8");
    BOOST_TEST(csv.header("content-disposition") == R"(attachment; filename="report-2026-01-01-to-2026-01-01.csv")");
    BOOST_TEST(csv.body ==
               "agent,chats_opened,chats_closed,csat_average,csat_count,first_response_p50_seconds,"
               "first_response_p90_seconds,queue_wait_p50_seconds,queue_wait_p90_seconds,resolution_p50_seconds,"
               "resolution_p90_seconds,first_reply_sla_met,first_reply_sla_missed,next_reply_sla_met,"
               "next_reply_sla_missed,resolution_sla_met,resolution_sla_missed,csat_surveys,csat_response_rate,"
               "csat_1,csat_2,csat_3,csat_4,csat_5\r\n"
               "(all),4,5,3.67,3,20,180,30,90,400,61650,,,,,,,4,0.75,0,1,0,1,1\r\n"
               "bob,2,3,3.5,2,20,60,10,30,400,61650,,,,,,,3,0.67,0,1,0,0,1\r\n"
               "carol,2,1,4,1,5,180,90,90,300,300,,,,,,,1,1,0,0,0,1,0\r\n"
               "channel:plain,4,5,3.67,3,20,180,30,90,400,61650,,,,,,,4,0.75,0,1,0,1,1\r\n");  // all came through the webhook
    BOOST_TEST(o.at("first_reply_sla").is_null());  // no target set
    BOOST_TEST(o.at("next_reply_sla").is_null());
    BOOST_TEST(admin.call("GET", "/reports/summary?format=xml").body.find(R"("field":"format")") != std::string::npos);

    BOOST_TEST(admin.call("GET", "/reports/summary?from=yesterday").status == 400u);
    BOOST_TEST(admin.call("GET", "/reports/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").status == 400u);
}

// Chatwoot's CSAT responses: a period's ratings one by one, newest first,
// a page at a time; a page never splits the ratings of one millisecond,
// so the next misses none.
BOOST_AUTO_TEST_CASE(csat_responses_are_listed_newest_first_a_page_at_a_time) {
    temp_dir dir;
    auto args = schema_only(dir);
    // 2026-01-01T10:00:00Z = 1767261600000.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
INSERT INTO ratings (phone, ticket_id, agent, score, at) VALUES
 ('1', 't1', 'bob', 5, 1767261601000), ('2', 't2', 'bob', 2, 1767261602000),
 ('3', 't3', 'carol', 3, 1767261602000), ('4', 't4', 'carol', 4, 1767261603000),
 ('5', 't0', 'bob', 1, 1767200005000);
)sql");
    server_process server(args);
    auto admin = known_admin(server.port());
    const std::string period = "/reports/csat?from=2026-01-01T10:00:00Z&to=2026-01-01T11:00:00Z&limit=2";
    auto tickets = [](const json::value& page) {
        std::vector<std::string> out;
        for (auto& r : page.at("responses").as_array()) out.emplace_back(r.at("ticket").as_string());
        return out;
    };
    auto first = admin.json("GET", period);
    // t4, then t3 and t2, given in the same millisecond: one page holds both.
    auto on_first = tickets(first);
    std::sort(on_first.begin() + 1, on_first.end());  // the two of one millisecond, either way
    BOOST_TEST(on_first == (std::vector<std::string>{"t4", "t2", "t3"}));
    auto& newest = first.at("responses").as_array()[0];
    BOOST_TEST(newest == json::parse(R"({"phone":"4","name":null,"ticket":"t4","agent":"carol","score":4,"at":"2026-01-01T10:00:03.000Z"})"));
    BOOST_TEST(first.at("next_before") == "2026-01-01T10:00:02.000Z");
    auto second = admin.json("GET", period + "&before=2026-01-01T10:00:02.000Z");
    BOOST_TEST(tickets(second) == std::vector<std::string>{"t1"});  // t0 is before the period
    BOOST_TEST(second.at("next_before").is_null());
    // One agent's, one score's.
    for (auto name : {"bob", "carol"})
        admin.json("POST", "/agents", R"({"username":")" + std::string(name) + R"(","password":"long-password-2"})", 201);
    auto carols = tickets(admin.json("GET", period + "&agent=carol"));
    BOOST_TEST(carols == (std::vector<std::string>{"t4", "t3"}));
    BOOST_TEST(tickets(admin.json("GET", period + "&score=2")) == std::vector<std::string>{"t2"});
    BOOST_TEST(tickets(admin.json("GET", period + "&agent=bob&score=5")) == std::vector<std::string>{"t1"});
    BOOST_TEST(refused_field(admin.call("GET", period + "&agent=nobody")) == "agent");
    BOOST_TEST(refused_field(admin.call("GET", period + "&score=6")) == "score");
    BOOST_TEST(refused_field(admin.call("GET", period + "&before=yesterday")) == "before");
    BOOST_TEST(refused_field(admin.call("GET", "/reports/csat?limit=101")) == "limit");
}

// Replies against the team's targets (GET /sla): a chat's first reply
// against the first-reply target, each answer after it against the
// next-reply one. Within it, after it, or none by the chat's end or by now,
// past it; a wait the user left unanswered within it asked nothing of it.
// A chat's end against the resolution target, the same way.
BOOST_AUTO_TEST_CASE(report_counts_replies_against_the_targets) {
    temp_dir dir;
    auto args = schema_only(dir);
    // 2026-01-01T10:00:00Z = 1767261600000; the targets are 2 and 5 minutes,
    // and 10 to resolve a chat.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
INSERT INTO settings (key, value) VALUES
 ('sla', '{"first_reply_minutes":2,"next_reply_minutes":5,"resolution_minutes":10}');
INSERT INTO chats (ticket_id, phone, opened_at, opened_by, queued_at, assigned_at, agent, first_response_at, closed_at,
                   close_reason, answered_waits, waiting_since) VALUES
 ('m1', '1', 1767261600000, 'user', 1767261600000, 1767261610000, 'bob',   1767261660000, 1767262200000, 'agent',
  '1767261700000-1767261760000,1767261770000-1767261830000', 1767261840000),
 ('m2', '2', 1767261600000, 'user', 1767261600000, 1767261700000, 'bob',   1767261720000, NULL, '',
  '1767261800000-1767262161000', 1767262200000),
 ('x1', '3', 1767261600000, 'user', 1767261600000, 1767261800000, 'carol', 1767261900000, NULL, '',
  'edited by hand,1767261960000-1767262260000', NULL),
 ('x2', '4', 1767261600000, 'user', 1767261600000, NULL,          '',      NULL, 1767262200000, 'timeout', '', 1767261600000),
 ('x3', '5', 1767261600000, 'user', 1767261600000, NULL,          '',      NULL, NULL, '', '', 1767261600000),
 ('q1', '6', 1767261600000, 'user', 1767261600000, NULL,          '',      NULL, 1767261630000, 'user', '', 1767261600000);
)sql");
    server_process server(args);
    auto admin = known_admin(server.port());
    const std::string range = "/reports/summary?from=2026-01-01T09:00:00Z&to=2026-01-01T11:00:00Z";
    auto r = admin.json("GET", range);
    // Met: m1 (60 s), m2 (120 s, at the target). Missed: x1 (300 s), x2 (no
    // answer in its 10 minutes), x3 (none yet). q1 left after 30 s.
    BOOST_TEST(r.at("overall").at("first_reply_sla") == json::parse(R"({"target_minutes":2,"met":2,"missed":3})"));
    auto& agents = r.at("agents").as_array();
    BOOST_REQUIRE(agents.size() == 2u);
    BOOST_TEST(agents[0].at("first_reply_sla") == json::parse(R"({"target_minutes":2,"met":2,"missed":0})"));
    BOOST_TEST(agents[1].at("first_reply_sla") == json::parse(R"({"target_minutes":2,"met":0,"missed":1})"));
    // Next replies. Met: m1's two answers (60 s each), x1's (300 s, at the
    // target). Missed: m2's answer (361 s), m2's wait since 10:10, open and
    // unanswered by now, and m1's last, unanswered when it ended 6 minutes
    // in. x2, x3 and q1 wait for a first reply: none of those counts here.
    // A wait that does not read (x1's first) is left out, not the chat.
    BOOST_TEST(r.at("overall").at("next_reply_sla") == json::parse(R"({"target_minutes":5,"met":3,"missed":3})"));
    BOOST_TEST(agents[0].at("next_reply_sla") == json::parse(R"({"target_minutes":5,"met":2,"missed":3})"));
    BOOST_TEST(agents[1].at("next_reply_sla") == json::parse(R"({"target_minutes":5,"met":1,"missed":0})"));
    // Resolution. Met: m1 (ended at 10 minutes). Missed: m2 and x1, with
    // agents and open by now, and x3, open in the queue. x2 ended unanswered
    // at 10 minutes, q1 at 30 s: neither.
    BOOST_TEST(r.at("overall").at("resolution_sla") == json::parse(R"({"target_minutes":10,"met":1,"missed":3})"));
    BOOST_TEST(agents[0].at("resolution_sla") == json::parse(R"({"target_minutes":10,"met":1,"missed":1})"));
    BOOST_TEST(agents[1].at("resolution_sla") == json::parse(R"({"target_minutes":10,"met":0,"missed":1})"));
    auto csv = admin.call("GET", range + "&format=csv").body;
    // Two of the three that ended asked their users for a rating; none gave one.
    BOOST_TEST(csv.find("\r\n(all),6,3,,0,120,300,100,200,600,600,2,3,3,3,1,3,2,0,0,0,0,0,0\r\n") != std::string::npos, csv);
    // Targets set over the API count the same chats anew.
    admin.json("PUT", "/sla", R"({"first_reply_minutes":10,"next_reply_minutes":6})");
    auto again = admin.json("GET", range).at("overall");
    BOOST_TEST(again.at("first_reply_sla") == json::parse(R"({"target_minutes":10,"met":3,"missed":1})"));
    // m1's last wait, left at exactly 6 minutes, now asked nothing of it.
    BOOST_TEST(again.at("next_reply_sla") == json::parse(R"({"target_minutes":6,"met":3,"missed":2})"));
    BOOST_TEST(again.at("resolution_sla").is_null());  // no longer set
    admin.json("PUT", "/sla", R"({"first_reply_minutes":10})");
    BOOST_TEST(admin.json("GET", range).at("overall").at("next_reply_sla").is_null());
}

// Targets only during business hours (Chatwoot's policy option) judge every
// wait on the team's clock, whether or not the report counts its times so;
// without hours set, every minute counts.
BOOST_AUTO_TEST_CASE(report_judges_targets_only_during_business_hours_on_the_teams_clock) {
    temp_dir dir;
    auto args = schema_only(dir);
    // w: in Friday 2026-12-04 16:58 UTC, answered Monday 09:01: 3 minutes of
    // mon-fri 09:00-17:00, 64 hours on the wall. n: in Friday 16:50,
    // answered 16:51; waiting again from 16:59, answered Monday 09:04: 5
    // minutes of the hours. The targets: 5 minutes each.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
INSERT INTO settings (key, value) VALUES
 ('sla', '{"first_reply_minutes":5,"next_reply_minutes":5,"only_during_business_hours":true}');
INSERT INTO chats (ticket_id, phone, opened_at, opened_by, queued_at, assigned_at, agent, first_response_at, closed_at,
                   close_reason, answered_waits, waiting_since) VALUES
 ('w', '1', 1796403480000, 'user', 1796403480000, 1796634030000, 'bob', 1796634060000, NULL, '', '', NULL),
 ('n', '2', 1796403000000, 'user', 1796403000000, 1796403030000, 'bob', 1796403060000, 1796635200000, 'agent',
  '1796403540000-1796634240000', NULL);
)sql");
    const std::string range = "/reports/summary?from=2026-12-04T00:00:00Z&to=2026-12-08T00:00:00Z";
    auto verdicts = [](const json::value& r) {
        auto& o = r.at("overall");
        auto part = [&](const char* which) {
            auto& v = o.at(which);
            return std::to_string(v.at("met").as_int64()) + "/" + std::to_string(v.at("missed").as_int64());
        };
        return part("first_reply_sla") + " " + part("next_reply_sla");
    };
    {
        server_process server(args);  // no hours: kept as asked, every minute counts
        auto admin = known_admin(server.port());
        BOOST_TEST(admin.json("GET", "/sla").at("only_during_business_hours").as_bool());
        BOOST_TEST(verdicts(admin.json("GET", range)) == "1/1 0/1");
    }
    args.insert(args.end(), {"--business-hours", "mon-fri 09:00-17:00"});
    server_process server(args);
    auto admin = known_admin(server.port());
    auto r = admin.json("GET", range);
    BOOST_TEST(verdicts(r) == "2/0 1/0");
    // The times themselves stay on the wall clock unless asked.
    BOOST_TEST(r.at("overall").at("first_response_seconds").at("p90").to_number<double>() == 230580.0);
    BOOST_TEST(admin.json("GET", range + "&business_hours=true")
                   .at("overall").at("first_response_seconds").at("p90").to_number<double>() == 180.0);
    admin.json("PUT", "/sla", R"({"first_reply_minutes":5,"next_reply_minutes":5,"only_during_business_hours":false})");
    BOOST_TEST(verdicts(admin.json("GET", range)) == "1/1 0/1");
    BOOST_TEST(verdicts(admin.json("GET", range + "&business_hours=true")) == "2/0 1/0");
}

// The chats of each day, as Chatwoot's reports chart them, and of each
// hour of each day (its traffic heatmap): counted in the zone asked for (by
// default the team's), by its own midnights and hours, summer time's too.
BOOST_AUTO_TEST_CASE(report_counts_each_day_in_a_time_zone) {
    temp_dir dir;
    auto args = schema_only(dir);
    // a: opened 2026-03-27 23:30Z (00:30 on the 28th in Berlin).
    // b: opened 03-28 22:59Z (23:59 CET), closed 23:01Z (00:01 on the 29th), bob had it.
    // e: opened 03-28 22:00Z, left the queue at 03-29 21:00Z (23:00 CEST) unanswered.
    // d: opened 03-29 22:30Z: 00:30 on the 30th in Berlin, summer time since 01:00Z.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
INSERT INTO chats (ticket_id, phone, opened_at, opened_by, queued_at, assigned_at, agent, first_response_at, closed_at, close_reason) VALUES
 ('a', '1', 1774654200000, 'user', 1774654200000, NULL, '', NULL, NULL, ''),
 ('b', '2', 1774738740000, 'user', 1774738740000, 1774738750000, 'bob', 1774738760000, 1774738860000, 'agent'),
 ('e', '3', 1774735200000, 'user', 1774735200000, NULL, '', NULL, 1774818000000, 'timeout'),
 ('d', '4', 1774823400000, 'user', 1774823400000, NULL, '', NULL, NULL, '');
)sql");
    const std::string range = "/reports/summary?from=2026-03-27T23:00:00Z&to=2026-03-30T00:00:00Z&group_by=day";
    auto days = [](const json::value& r) {
        std::string out;
        for (auto& d : r.at("days").as_array())
            out += std::string(d.at("date").as_string()) + " " + std::to_string(d.at("chats_opened").as_int64()) + "/" +
                   std::to_string(d.at("chats_closed").as_int64()) + "; ";
        return out;
    };
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        auto berlin = admin.json("GET", range + "&timezone=Europe/Berlin");
        BOOST_TEST(berlin.at("timezone").as_string() == "Europe/Berlin");
        BOOST_TEST(days(berlin) == "2026-03-28 3/0; 2026-03-29 0/2; 2026-03-30 1/0; ");
        BOOST_TEST(admin.call("GET", range + "&timezone=Europe/Berlin&format=csv").body ==
                   "date,chats_opened,chats_closed\r\n2026-03-28,3,0\r\n2026-03-29,0,2\r\n2026-03-30,1,0\r\n");
        auto utc = admin.json("GET", range);
        BOOST_TEST(utc.at("timezone").as_string() == "UTC");
        BOOST_TEST(days(utc) == "2026-03-27 1/0; 2026-03-28 2/1; 2026-03-29 1/1; ");
        // By the hour too (a heatmap's): each day's chats opened in each of its local hours.
        auto hours = [](const json::value& r) {
            std::string out;
            for (auto& d : r.at("days").as_array()) {
                auto& by_hour = d.at("opened_by_hour").as_array();
                BOOST_TEST(by_hour.size() == 24u);
                out += std::string(d.at("date").as_string()) + ":";
                for (std::size_t h = 0; h < by_hour.size(); ++h)
                    if (by_hour[h].as_int64()) out += " " + std::to_string(h) + "h=" + std::to_string(by_hour[h].as_int64());
                out += "; ";
            }
            return out;
        };
        const std::string hourly = "/reports/summary?from=2026-03-27T23:00:00Z&to=2026-03-30T00:00:00Z&group_by=hour";
        auto berlin_hours = admin.json("GET", hourly + "&timezone=Europe/Berlin");
        BOOST_TEST(berlin_hours.at("group_by").as_string() == "hour");
        BOOST_TEST(days(berlin_hours) == days(berlin));
        BOOST_TEST(hours(berlin_hours) == "2026-03-28: 0h=1 23h=2; 2026-03-29:; 2026-03-30: 0h=1; ");  // d: 00:30 CEST
        BOOST_TEST(hours(admin.json("GET", hourly)) == "2026-03-27: 23h=1; 2026-03-28: 22h=2; 2026-03-29: 22h=1; ");
        auto hourly_csv = admin.call("GET", hourly + "&timezone=Europe/Berlin&format=csv");
        BOOST_TEST(hourly_csv.body.starts_with("date,chats_opened,chats_closed,opened_00,opened_01,"), hourly_csv.body);
        BOOST_TEST(hourly_csv.body.find(",opened_23\r\n2026-03-28,3,0,1,0,0,") != std::string::npos, hourly_csv.body);
        BOOST_TEST(hourly_csv.body.find("2026-03-30,1,0,1,0,") != std::string::npos, hourly_csv.body);
        BOOST_TEST(admin.json("GET", range).at("days").at(0).as_object().contains("opened_by_hour") == false);

        // Resolved: b alone; e left the queue unanswered.
        BOOST_TEST(utc.at("overall").at("resolution_seconds").at("count").as_int64() == 1);
        BOOST_TEST(utc.at("overall").at("resolution_seconds").at("p50").to_number<double>() == 120.0);

        auto refused = [&](const std::string& query, const char* field) {
            auto r = admin.call("GET", query);
            BOOST_TEST(r.status == 400u, query);
            BOOST_TEST(r.body.find(std::string(R"("field":")") + field + "\"") != std::string::npos, r.body);
        };
        refused(range + "&timezone=Mars/Olympus", "timezone");
        refused("/reports/summary?group_by=week", "group_by");
        refused("/reports/summary?timezone=UTC", "timezone");
        refused("/reports/summary?from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&group_by=day", "from");
        refused("/reports/summary?from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&group_by=hour", "from");
        BOOST_TEST(admin.json("GET", "/reports/summary?from=2025-03-01T00:00:00Z&to=2026-03-01T00:00:00Z&group_by=day")
                       .at("days").as_array().size() == 365u);
    }
    // With the team's zone set, that is the default.
    for (auto flag : {"--business-hours", "mon-fri 09:00-17:00", "--timezone", "Europe/Berlin"}) args.push_back(flag);
    server_process server(args);
    auto admin = known_admin(server.port());
    auto team = admin.json("GET", range);
    BOOST_TEST(team.at("timezone").as_string() == "Europe/Berlin");
    BOOST_TEST(days(team) == "2026-03-28 3/0; 2026-03-29 0/2; 2026-03-30 1/0; ");
}

BOOST_AUTO_TEST_CASE(export_streams_100k_messages_in_flat_memory) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    // 100,000 messages of ~600 bytes: 60 MB that a non-streaming export would hold at once.
    sqlite_script(dir.path() / "switchboard.db", R"sql(
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO messages (phone, seq, id, sender, agent, text, kind, at, status, channel_id, client_id)
SELECT printf('%d', 900000 + i % 500), i, 'm' || i, 'user', '', printf('message %d ', i) || hex(randomblob(290)),
       'text', 1767261600000 + i, 'received', '', '' FROM n;
)sql");
    server_process server(args);
    auto admin = known_admin(server.port());
    // Peak RSS would include the login's Argon2 hashing (64 MiB): sample RSS during the export instead.
    auto before = vm_kb(server.pid(), "VmRSS");
    std::atomic<bool> exporting{true};
    std::atomic<long long> highest{before};
    std::thread sampler([&] {
        while (exporting) {
            highest = std::max(highest.load(), vm_kb(server.pid(), "VmRSS"));
            std::this_thread::sleep_for(5ms);  // a sampling interval
        }
    });
    auto res = admin.call("GET", "/export?format=ndjson&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z");
    exporting = false;
    sampler.join();
    BOOST_TEST(res.status == 200u);
    BOOST_TEST(res.header("transfer-encoding") == "chunked");
    BOOST_TEST(std::count(res.body.begin(), res.body.end(), '\n') == 100000);
    BOOST_TEST(res.body.substr(0, res.body.find('\n')).find(R"("text":"message 1 )") != std::string::npos);
    BOOST_TEST_MESSAGE("server RSS before " << before << " kB, highest during the export " << highest << " kB, body "
                                            << res.body.size() / 1024 << " kB");
    BOOST_TEST(highest - before < 20 * 1024);  // far below the 70 MB exported

    auto csv = admin.call("GET", "/export?format=csv&from=2026-01-01T10:00:00Z&to=2026-01-01T10:00:00.011Z");
    BOOST_TEST(csv.body.starts_with("conversation,seq,timestamp,sender,agent,type,status,text\r\n"));
    BOOST_TEST(std::count(csv.body.begin(), csv.body.end(), '\n') == 11);  // the header and i = 1..10
    auto bob = agent_client(admin, "bob");
    BOOST_TEST(bob.call("GET", "/export").status == 403u);
    BOOST_TEST(admin.call("GET", "/export?format=xml").status == 400u);
}

BOOST_AUTO_TEST_SUITE_END()
