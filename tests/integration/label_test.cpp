// The label catalog against the real server: admins define labels with a
// colour and a description, everyone reads them and hears of each change,
// bad input changes nothing, a deleted label stays on its conversations,
// and the catalog outlives a restart.
#include "api_session.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <regex>
#include <set>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::vector<std::string> label_names(const json::value& labels) {
    std::vector<std::string> out;
    for (auto& l : labels.as_array()) out.emplace_back(l.at("name").as_string());
    return out;
}

std::vector<std::string> audited_actions(const api_client& admin) {
    std::vector<std::string> out;
    auto page = admin.json("GET", "/audit-log?limit=200");  // named: the loop's object must outlive it
    for (auto& e : page.at("entries").as_array())
        if (e.at("action").as_string().starts_with("label.")) out.emplace_back(e.at("action").as_string());
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(labels)

BOOST_AUTO_TEST_CASE(admins_define_labels_that_everyone_reads_and_hears_of) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");

        auto vip = admin.json("PUT", "/labels/VIP%20customer", R"({"description":"Pays for support","color":"#ABCDEF"})", 201);
        BOOST_TEST(vip.at("name") == "vip-customer");
        BOOST_TEST(vip.at("color") == "#abcdef");
        BOOST_TEST(vip.at("description") == "Pays for support");
        BOOST_TEST(vip.at("updated_by") == "admin");
        auto told = ws.next_of_type("labels.updated");
        BOOST_TEST(told.contains("seq"));
        BOOST_TEST(label_names(told.at("data").at("labels")) == std::vector<std::string>{"vip-customer"});

        // No colour given: one of its own, the same each time.
        auto billing = admin.json("PUT", "/labels/billing", "{}", 201);
        BOOST_TEST(std::regex_match(std::string(billing.at("color").as_string()), std::regex("#[0-9a-f]{6}")));
        BOOST_TEST(billing.at("description") == "");
        auto again = admin.json("PUT", "/labels/billing", R"({"description":"Refunds"})");
        BOOST_TEST(again.at("color") == billing.at("color"));
        BOOST_TEST(again.at("description") == "Refunds");
        auto listed = bob.json("GET", "/labels").at("labels");
        BOOST_TEST(label_names(listed) == (std::vector<std::string>{"billing", "vip-customer"}));

        // Bad input, and an agent's: refused, and nothing changes.
        BOOST_TEST(bob.call("PUT", "/labels/billing", R"({"description":"mine now"})").status == 403u);
        for (auto [target, body, field] : std::vector<std::tuple<std::string, std::string, std::string>>{
                 {"/labels/billing", R"({"color":"red"})", "color"},
                 {"/labels/billing", R"({"color":"#12345g"})", "color"},
                 {"/labels/billing", R"({"color":7})", "color"},
                 {"/labels/billing", R"({"description":"two\nlines"})", "description"},
                 {"/labels/billing", R"({"description":")" + std::string(201, 'x') + R"("})", "description"},
                 {"/labels/billing", R"({"title":"Billing"})", "title"},
                 {"/labels/%21%21", "{}", "name"}})
            BOOST_TEST(refused_field(admin.call("PUT", target, body)) == field, target << " " << body);
        BOOST_TEST(bob.json("GET", "/labels").at("labels") == listed);

        // Deleted from the catalog, it stays on the conversations filed under it.
        user_says(p, "8801", "hello");
        admin.json("PUT", "/conversations/8801/labels", R"({"labels":["billing"]})");
        BOOST_TEST(bob.call("DELETE", "/labels/billing").status == 403u);
        BOOST_TEST(admin.json("DELETE", "/labels/billing") == json::parse(R"({"deleted":"billing"})"));
        BOOST_TEST(label_names(ws.next_of_type("labels.updated").at("data").at("labels")) ==
                   (std::vector<std::string>{"billing", "vip-customer"}));
        BOOST_TEST(label_names(ws.next_of_type("labels.updated").at("data").at("labels")) ==
                   (std::vector<std::string>{"billing", "vip-customer"}));
        BOOST_TEST(label_names(ws.next_of_type("labels.updated").at("data").at("labels")) ==
                   std::vector<std::string>{"vip-customer"});
        BOOST_TEST(admin.call("DELETE", "/labels/billing").status == 404u);
        BOOST_TEST(admin.json("GET", "/conversations/8801").at("labels") == json::parse(R"(["billing"])"));
        BOOST_TEST(audited_actions(admin) ==
                   (std::vector<std::string>{"label.deleted", "label.updated", "label.created", "label.created"}));
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    auto kept = admin.json("GET", "/labels").at("labels");
    BOOST_REQUIRE(kept.as_array().size() == 1u);
    BOOST_TEST(kept.as_array()[0].at("color") == "#abcdef");
    BOOST_TEST(kept.as_array()[0].at("description") == "Pays for support");
}

BOOST_AUTO_TEST_CASE(the_catalog_holds_at_most_two_hundred_labels) {
    server_process server;
    auto admin = admin_client(server);
    for (int i = 0; i < 200; ++i) admin.json("PUT", "/labels/l" + std::to_string(i), "{}", 201);
    BOOST_TEST(admin.call("PUT", "/labels/one-more", "{}").status == 409u);
    admin.json("PUT", "/labels/l7", R"({"description":"still changes"})");  // a label there is
    // Given no colour, labels are not all painted alike.
    std::set<std::string> colors;
    auto all = admin.json("GET", "/labels");  // named: the loop's object must outlive it
    for (auto& l : all.at("labels").as_array()) colors.emplace(l.at("color").as_string());
    BOOST_TEST(colors.size() > 1u);
    BOOST_TEST(admin.json("GET", "/labels").at("labels").as_array().size() == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
