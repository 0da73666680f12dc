// Custom attributes against the real server: admins define the details the
// team keeps of its users, each with a type; everyone reads them and hears
// of each change; a user's detail of a defined attribute is checked against
// its type wherever details are set (a conversation's, a new conversation's,
// an import's), and bad input changes nothing; a deleted definition leaves
// the details; the catalog outlives a restart.
#include "api_session.hpp"
#include "http_client.hpp"
#include "receiver.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <tuple>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::vector<std::string> keys_of(const json::value& attributes) {
    std::vector<std::string> out;
    for (auto& a : attributes.as_array()) out.emplace_back(a.at("key").as_string());
    return out;
}

// The team's usual set: a plan to pick, a sign-up day, a score, a profile page, a yes or no.
void define_the_usual(const api_client& admin) {
    admin.json("PUT", "/custom-attributes/plan",
               R"({"display_name":"Plan","type":"list","values":["Gold","Silver","Bronze"]})", 201);
    admin.json("PUT", "/custom-attributes/signed_up", R"({"display_name":"Signed up","type":"date"})", 201);
    admin.json("PUT", "/custom-attributes/score", R"({"type":"number"})", 201);
    admin.json("PUT", "/custom-attributes/profile", R"({"type":"link"})", 201);
    admin.json("PUT", "/custom-attributes/newsletter", R"({"type":"checkbox"})", 201);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(custom_attributes)

BOOST_AUTO_TEST_CASE(admins_define_attributes_that_everyone_reads_and_hears_of) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        auto bob = agent_client(admin, "bob");
        ws_client ws(p, "/ws?token=" + bob.token);
        ws.next_of_type("hello");

        auto plan = admin.json("PUT", "/custom-attributes/Plan%20tier",
                               R"({"display_name":" Plan ","type":"list","values":["Gold"," Silver "],"description":"What they pay for"})",
                               201);
        BOOST_TEST(plan == json::parse(R"({"key":"plan_tier","display_name":"Plan","type":"list",
            "values":["Gold","Silver"],"description":"What they pay for","updated_by":"admin",
            "updated_at":)" + json::serialize(plan.at("updated_at")) + "}"));
        auto told = ws.next_of_type("custom_attributes.updated");
        BOOST_TEST(told.contains("seq"));
        BOOST_TEST(keys_of(told.at("data").at("custom_attributes")) == std::vector<std::string>{"plan_tier"});
        // No name to show: its key; changed, the same key.
        auto score = admin.json("PUT", "/custom-attributes/score", R"({"type":"number"})", 201);
        BOOST_TEST(score.at("display_name") == "score");
        BOOST_TEST(score.at("values") == json::array());
        admin.json("PUT", "/custom-attributes/score", R"({"type":"number","display_name":"Score"})");
        auto listed = bob.json("GET", "/custom-attributes").at("custom_attributes");
        BOOST_TEST(keys_of(listed) == (std::vector<std::string>{"plan_tier", "score"}));
        BOOST_TEST(listed.as_array()[1].at("display_name") == "Score");

        // Bad input, and an agent's: refused, and nothing changes.
        BOOST_TEST(bob.call("PUT", "/custom-attributes/score", R"({"type":"text"})").status == 403u);
        for (auto [target, body, field] : std::vector<std::tuple<std::string, std::string, std::string>>{
                 {"/custom-attributes/score", "{}", "type"},
                 {"/custom-attributes/score", R"({"type":"money"})", "type"},
                 {"/custom-attributes/score", R"({"type":"number","values":["1"]})", "values"},
                 {"/custom-attributes/score", R"({"type":"list"})", "values"},
                 {"/custom-attributes/score", R"({"type":"list","values":[]})", "values"},
                 {"/custom-attributes/score", R"({"type":"list","values":["Gold","gold"]})", "values"},
                 {"/custom-attributes/score", R"({"type":"list","values":["two\nlines"]})", "values"},
                 {"/custom-attributes/score", R"({"type":"list","values":[" "]})", "values"},
                 {"/custom-attributes/score", R"({"type":"list","values":[7]})", "values"},
                 {"/custom-attributes/score", R"({"type":"list","values":[")" + std::string(65, 'x') + R"("]})", "values"},
                 {"/custom-attributes/score", R"({"type":"text","display_name":"two\nlines"})", "display_name"},
                 {"/custom-attributes/score", R"({"type":"text","description":")" + std::string(201, 'x') + R"("})",
                  "description"},
                 {"/custom-attributes/score", R"({"type":"text","label":"Score"})", "label"},
                 {"/custom-attributes/phone", R"({"type":"text"})", "key"},
                 {"/custom-attributes/%21%21", R"({"type":"text"})", "key"}})
            BOOST_TEST(refused_field(admin.call("PUT", target, body)) == field, target << " " << body);
        BOOST_TEST(bob.json("GET", "/custom-attributes").at("custom_attributes") == listed);

        // Deleted, its details stay on the users who have them, as plain text.
        user_says(p, "8801", "hello");
        admin.json("PUT", "/conversations/8801/attributes", R"({"attributes":{"score":"7"}})");
        BOOST_TEST(bob.call("DELETE", "/custom-attributes/score").status == 403u);
        BOOST_TEST(admin.json("DELETE", "/custom-attributes/score") == json::parse(R"({"deleted":"score"})"));
        ws.next_of_type("custom_attributes.updated");
        ws.next_of_type("custom_attributes.updated");
        BOOST_TEST(keys_of(ws.next_of_type("custom_attributes.updated").at("data").at("custom_attributes")) ==
                   std::vector<std::string>{"plan_tier"});
        BOOST_TEST(admin.call("DELETE", "/custom-attributes/score").status == 404u);
        BOOST_TEST(admin.json("GET", "/conversations/8801").at("attributes") == json::parse(R"({"score":"7"})"));
        admin.json("PUT", "/conversations/8801/attributes", R"({"attributes":{"score":"many"}})");  // any text now

        std::vector<std::string> audited;
        auto page = admin.json("GET", "/audit-log?limit=200");  // named: the loop's object must outlive it
        for (auto& e : page.at("entries").as_array())
            if (e.at("action").as_string().starts_with("custom_attribute."))
                audited.push_back(std::string(e.at("action").as_string()) + " " + std::string(e.at("target").as_string()) +
                                  " " + json::serialize(e.at("details")));
        BOOST_TEST(audited == (std::vector<std::string>{
                                  "custom_attribute.deleted score {}",
                                  R"(custom_attribute.updated score {"display_name":"Score","type":"number"})",
                                  R"(custom_attribute.created score {"display_name":"score","type":"number"})",
                                  R"(custom_attribute.created plan_tier {"display_name":"Plan","type":"list"})"}));
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    server_process server(args);
    auto admin = known_admin(server.port());
    auto kept = admin.json("GET", "/custom-attributes").at("custom_attributes");
    BOOST_REQUIRE(kept.as_array().size() == 1u);
    BOOST_TEST(kept.as_array()[0].at("values") == json::parse(R"(["Gold","Silver"])"));
    BOOST_TEST(kept.as_array()[0].at("description") == "What they pay for");
    // Still checked after the restart.
    user_says(server.port(), "8802", "hello");
    BOOST_TEST(refused_field(admin.call("PUT", "/conversations/8802/attributes", R"({"attributes":{"plan_tier":"Iron"}})")) ==
               "attributes");
}

BOOST_AUTO_TEST_CASE(a_users_detail_of_a_defined_attribute_reads_as_its_type) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    define_the_usual(admin);
    user_says(p, "8811", "hello");

    // As each type keeps it: a list's choice as the list spells it, a checkbox in lower case.
    auto set = admin.json("PUT", "/conversations/8811/attributes", R"({"attributes":{"plan":"gold","signed_up":"2024-02-29",
        "score":"-3.5","profile":"HTTPS://example.com/u/8811","newsletter":"TRUE","email":"ana@example.com"}})");
    auto want = json::parse(R"({"plan":"Gold","signed_up":"2024-02-29","score":"-3.5",
        "profile":"HTTPS://example.com/u/8811","newsletter":"true","email":"ana@example.com"})");
    BOOST_TEST(set.at("attributes") == want);

    for (auto [detail, words] : std::vector<std::pair<std::string, std::string>>{
             {R"("plan":"Iron")", "the attribute plan is one of: Gold, Silver, Bronze"},
             {R"("signed_up":"2023-02-29")", "the attribute signed_up is a date, as 2026-12-31"},
             {R"("signed_up":"29/02/2024")", "is a date"},
             {R"("score":"1,000")", "the attribute score is a number, as 42 or 3.5"},
             {R"("score":"4.")", "is a number"},
             {R"("score":"-")", "is a number"},
             {R"("profile":"example.com")", "the attribute profile is a link, starting http:// or https://"},
             {R"("profile":"https://")", "is a link"},
             {R"("profile":"https://example.com/a b")", "is a link"},
             {R"("newsletter":"yes")", "the attribute newsletter is true or false"}}) {
        auto body = R"({"attributes":{)" + detail + "}}";
        refused_naming(admin.call("PUT", "/conversations/8811/attributes", body), "attributes", words);
        refused_naming(admin.call("POST", "/conversations",
                                  R"({"phone":"15558812","channel":"plain","text":"Hi","attributes":{)" + detail + "}}"),
                       "attributes", words);
    }
    BOOST_TEST(admin.json("GET", "/conversations/8811").at("attributes") == want);
    BOOST_TEST(admin.call("GET", "/conversations/15558812").status == 404u);
    BOOST_TEST(outbound.requests().empty());

    // A new conversation's details are read alike.
    auto opened = admin.json("POST", "/conversations",
                             R"({"phone":"15558812","channel":"plain","text":"Hi","attributes":{"plan":"SILVER"}})", 201);
    BOOST_TEST(opened.at("conversation").at("attributes") == json::parse(R"({"plan":"Silver"})"));
}

BOOST_AUTO_TEST_CASE(an_imported_detail_of_a_defined_attribute_reads_as_its_type) {
    server_process server;
    auto admin = admin_client(server);
    define_the_usual(admin);

    auto bad = admin.call("POST", "/contacts/import?channel=plain",
                          "phone,name,plan,newsletter\n15550101,Ana,gold,true\n15550102,Bo,Silver,maybe\n");
    refused_naming(bad, "newsletter", "line 3: the attribute newsletter is true or false");
    BOOST_TEST(admin.call("GET", "/conversations/15550101").status == 404u);  // nothing of the file

    auto good = admin.call("POST", "/contacts/import?channel=plain",
                           "phone,name,plan,newsletter,signed_up\n15550101,Ana,gold,TRUE,2025-01-31\n15550102,Bo,Silver,,\n");
    BOOST_TEST_REQUIRE(good.status == 200u, good.body);
    BOOST_TEST(admin.json("GET", "/conversations/15550101").at("attributes") ==
               json::parse(R"({"newsletter":"true","plan":"Gold","signed_up":"2025-01-31"})"));
    BOOST_TEST(admin.json("GET", "/conversations/15550102").at("attributes") == json::parse(R"({"plan":"Silver"})"));
}

// Chatwoot's automation condition on a custom attribute: the rule acts on
// the users whose detail is that value, in any case.
BOOST_AUTO_TEST_CASE(an_automation_acts_on_the_users_of_a_detail) {
    temp_dir dir;
    auto args = kept_in(dir.path());
    auto run = [&](server_process& server, const std::vector<std::string>& phones) {
        auto p = server.port();
        auto admin = known_admin(p);
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");
        std::vector<std::string> labelled;
        for (auto& phone : phones) {
            user_says(p, phone, "hello again");
            // The rules run by name: once the last one's note is there, the first one has run.
            for (;;) {
                auto e = ws.next_of_type("message.created");
                if (e.at("conversation").as_string() == phone && e.at("data").at("type") == "note") break;
            }
            labelled.push_back(phone + " " + json::serialize(admin.json("GET", "/conversations/" + phone).at("labels")));
        }
        return labelled;
    };
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        admin.json("PUT", "/custom-attributes/plan", R"({"type":"list","values":["Gold","Silver"]})", 201);
        auto rule = admin.json("POST", "/automations",
                               R"({"name":"Gold line","event":"user_message","attribute":{"key":"Plan","value":" gold "},)"
                               R"("actions":[{"action":"label","label":"gold-line"}]})",
                               201);
        BOOST_TEST(rule.at("attribute") == json::parse(R"({"key":"plan","value":"gold"})"));
        auto any = admin.json("POST", "/automations",
                              R"({"name":"Zz seen","event":"user_message","actions":[{"action":"note","text":"Seen"}]})", 201);
        BOOST_TEST(any.at("attribute").is_null());
        std::string read = R"("actions":[{"action":"read"}])";
        for (auto attribute : {R"("gold")", R"({"key":"plan"})", R"({"value":"Gold"})", R"({"key":"!!","value":"Gold"})",
                               R"({"key":"plan","value":" "})", R"({"key":"plan","value":"a\nb"})"})
            BOOST_TEST(refused_field(admin.call("POST", "/automations",
                                                std::string(R"({"name":"x","event":"user_message","attribute":)") +
                                                    attribute + "," + read + "}")) == "attribute",
                       attribute);
        for (auto [phone, plan] : {std::pair{"8831", "gold"}, {"8832", "Silver"}}) {
            user_says(p, phone, "hi");
            admin.json("PUT", std::string("/conversations/") + phone + "/attributes",
                       std::string(R"({"attributes":{"plan":")") + plan + R"("}})");
        }
        user_says(p, "8833", "hi");
        BOOST_TEST(run(server, {"8831", "8832", "8833"}) ==
                   (std::vector<std::string>{R"(8831 ["gold-line"])", "8832 []", "8833 []"}));
        server.send_signal(SIGTERM);
        server.wait_exit(5s);
    }
    // Kept across a restart.
    server_process server(args);
    auto admin = known_admin(server.port());
    admin.json("PUT", "/conversations/8831/labels", R"({"labels":[]})");
    BOOST_TEST(run(server, {"8831", "8832"}) == (std::vector<std::string>{R"(8831 ["gold-line"])", "8832 []"}));
}

BOOST_AUTO_TEST_SUITE_END()
