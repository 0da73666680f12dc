// A team's own reply-time targets against the real server: set with the
// team, refused when wrong, held to by the engine's reports of missed
// targets and by the reports' counts, kept over a restart, and dropped when
// the team is put again without them.
#include "api_session.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <csignal>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

json::value team_named(const api_client& agent, const std::string& name) {
    auto teams = agent.json("GET", "/teams");  // named: the loop's object must outlive it
    for (auto& t : teams.at("teams").as_array())
        if (t.at("name").as_string() == name) return t;
    throw std::runtime_error("no team " + name);
}

// The report's first-reply figures for the whole team and for one team.
std::pair<json::value, json::value> first_reply_figures(const api_client& agent, const std::string& team) {
    auto report = agent.json("GET", "/reports/summary");
    json::value of_team = nullptr;
    for (auto& t : report.at("teams").as_array())
        if (t.at("team").as_string() == team) of_team = t.at("first_reply_sla");
    return {report.at("overall").at("first_reply_sla"), of_team};
}

// Stops the server, and moves its chats' clocks five minutes back: the
// next start finds their users waiting that long.
void stop_five_minutes_on(server_process& server, const std::filesystem::path& data) {
    server.send_signal(SIGTERM);
    server.wait_exit(5s);
    sqlite_script(data / "switchboard.db",
                  "UPDATE chats SET waiting_since = waiting_since - 300000, opened_at = opened_at - 300000, "
                  "queued_at = queued_at - 300000");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(team_targets)

BOOST_AUTO_TEST_CASE(a_team_holds_its_chats_to_its_own_targets) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        admin.json("PUT", "/sla", R"({"first_reply_minutes":30})");
        auto vip = admin.json("PUT", "/teams/vip", R"({"members":[],"sla":{"first_reply_minutes":1}})", 201);
        BOOST_TEST(vip.at("sla") == json::parse(R"({"first_reply_minutes":1,"next_reply_minutes":null,"resolution_minutes":null})"));
        BOOST_TEST(admin.json("PUT", "/teams/plain", R"({"members":[]})", 201).at("sla").is_null());

        for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
                 {R"({"members":[],"sla":"fast"})", "sla"},
                 {R"({"members":[],"sla":{"first_reply_minutes":0}})", "sla.first_reply_minutes"},
                 {R"({"members":[],"sla":{"first_reply_minutes":true}})", "sla.first_reply_minutes"},
                 {R"({"members":[],"sla":{"resolution_minutes":"60"}})", "sla.resolution_minutes"},
                 {R"({"members":[],"sla":{"first_reply_minutes":99999}})", "sla.first_reply_minutes"},
                 {R"({"members":[],"sla":{"only_during_business_hours":true}})", "sla"},
                 {R"({"members":[],"sla":{"minutes":5}})", "sla"}})
            BOOST_TEST(refused_field(admin.call("PUT", "/teams/vip", body)) == field, body);
        BOOST_TEST(team_named(admin, "vip") == vip);  // unchanged

        user_says(p, "5701", "support", "Vi");
        user_says(p, "5702", "support", "Ed");
        admin.json("PUT", "/conversations/5701/team", R"({"team":"vip"})");
        admin.json("PUT", "/conversations/5702/team", R"({"team":"plain"})");
        // Both will have waited five minutes: past vip's one, within the standard thirty.
        stop_five_minutes_on(server, dir.path());
    }
    server_process server(args);
    auto p = server.port();
    auto admin = known_admin(p);
    BOOST_TEST(team_named(admin, "vip").at("sla").at("first_reply_minutes") == 1);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    ws.send(R"({"type":"resume","after":0})");
    auto missed = ws.next_of_type("chat.sla_missed").at("data");
    BOOST_TEST(missed.at("phone") == "5701");
    BOOST_TEST(missed.at("target_minutes") == 1);

    // The report holds each chat to its team's: vip's missed, the whole
    // team's row names the standard target and counts both teams' chats.
    auto [overall, of_vip] = first_reply_figures(admin, "vip");
    BOOST_TEST(overall == json::parse(R"({"target_minutes":30,"met":0,"missed":1})"));
    BOOST_TEST(of_vip == json::parse(R"({"target_minutes":1,"met":0,"missed":1})"));
    BOOST_TEST(first_reply_figures(admin, "plain").second == json::parse(R"({"target_minutes":30,"met":0,"missed":0})"));

    // Targets given to a team hold its chats from then on: plain's chat,
    // five minutes in, is past a two-minute target at the next check.
    admin.json("PUT", "/teams/plain", R"({"members":[],"sla":{"first_reply_minutes":2}})");
    missed = ws.next_of_type("chat.sla_missed", 15s).at("data");
    BOOST_TEST(missed.at("phone") == "5702");
    BOOST_TEST(missed.at("target_minutes") == 2);

    // Put again without targets: the standard's from then on.
    BOOST_TEST(admin.json("PUT", "/teams/vip", R"({"members":[]})").at("sla").is_null());
    BOOST_TEST(first_reply_figures(admin, "vip").second == json::parse(R"({"target_minutes":30,"met":0,"missed":0})"));
    // No standard target, but the teams': the whole team's row counts
    // both teams' chats, naming no minutes of its own.
    admin.json("PUT", "/sla", R"({})");
    admin.json("PUT", "/teams/vip", R"({"members":[],"sla":{"first_reply_minutes":2}})");
    BOOST_TEST(first_reply_figures(admin, "vip").first == json::parse(R"({"target_minutes":null,"met":0,"missed":2})"));
}

// A team may have none of a kind the standard has: `false`. Its chats are
// held to no such target, by the engine and by the reports, from then on
// and over a restart.
BOOST_AUTO_TEST_CASE(a_team_switches_a_standard_target_off) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        admin.json("PUT", "/sla", R"({"first_reply_minutes":1,"resolution_minutes":60})");
        auto calm = admin.json("PUT", "/teams/calm", R"({"members":[],"sla":{"first_reply_minutes":false}})", 201);
        BOOST_TEST(calm.at("sla") == json::parse(R"({"first_reply_minutes":false,"next_reply_minutes":null,"resolution_minutes":null})"));
        user_says(p, "5801", "support", "Cal");
        user_says(p, "5802", "support", "Ned");
        admin.json("PUT", "/conversations/5801/team", R"({"team":"calm"})");
        // Both will have waited five minutes: past the standard one.
        stop_five_minutes_on(server, dir.path());
    }
    server_process server(args);
    auto p = server.port();
    auto admin = known_admin(p);
    BOOST_TEST(team_named(admin, "calm").at("sla").at("first_reply_minutes") == false);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    ws.send(R"({"type":"resume","after":0})");
    BOOST_TEST(ws.next_of_type("chat.sla_missed").at("data").at("phone") == "5802");

    // The report counts calm's chat against no first-reply target; its
    // resolution target is still the standard's.
    auto report = admin.json("GET", "/reports/summary");
    BOOST_TEST(report.at("overall").at("first_reply_sla") == json::parse(R"({"target_minutes":1,"met":0,"missed":1})"));
    for (auto& t : report.at("teams").as_array())
        if (t.at("team") == "calm") {
            BOOST_TEST(t.at("first_reply_sla").at("target_minutes").is_null());
            BOOST_TEST(t.at("resolution_sla").at("target_minutes") == 60);
        }

    // A wait is reported once: given a target again, calm's chat is reported
    // now, so it was not before.
    admin.json("PUT", "/teams/calm", R"({"members":[],"sla":{"first_reply_minutes":2}})");
    auto missed = ws.next_of_type("chat.sla_missed", 15s).at("data");
    BOOST_TEST(missed.at("phone") == "5801");
    BOOST_TEST(missed.at("target_minutes") == 2);
}

BOOST_AUTO_TEST_SUITE_END()
