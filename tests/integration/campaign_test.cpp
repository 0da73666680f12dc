// /campaigns against the real server: an admin's message to every user
// filed under a label, on the plain webhook (to --outbound-url) and on
// WhatsApp (a template through a local stand-in for the Graph API), sent at
// once or at its time, across a restart, each user once.
#include "api_session.hpp"
#include "http_client.hpp"
#include "receiver.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "template_lists.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include "switchboard/core/time.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace switchboard::test;
namespace json = boost::json;

namespace {

void file_under(const api_client& agent, const std::string& phone, const std::string& labels) {
    agent.json("PUT", "/conversations/" + phone + "/labels", R"({"labels":)" + labels + "}");
}

// The campaign as its last campaign.updated says it, once it is done.
json::object done_on(ws_client& ws, const std::string& id) {
    for (;;) {
        auto e = ws.next_of_type("campaign.updated", std::chrono::seconds(20));
        auto c = e.at("data").at("campaign").as_object();
        if (c.at("id").as_string() == id && c.at("status").as_string() == "done") return c;
    }
}

// The campaign as the first campaign.updated that counts `at_least` of
// `count` ("failed", "read") says it: delivery is told as it comes.
json::object once_counted(ws_client& ws, const std::string& count, std::int64_t at_least) {
    for (;;) {
        auto c = ws.next_of_type("campaign.updated").at("data").at("campaign").as_object();
        if (c.at(count).as_int64() >= at_least) return c;
    }
}

// `count` users write (15551000 on), and are filed under `label` in bulk.
void file_everyone(unsigned short p, const api_client& admin, int count, const std::string& label) {
    act_in_bulk(admin, users_write(p, count, 15551000), {{"action", "label"}, {"label", label}});
}

// `users` users filed under news, and a campaign to them all: as its last
// campaign.updated says it, once done.
json::object campaign_to_everyone(unsigned short p, const api_client& admin, int users) {
    file_everyone(p, admin, users, "news");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    auto made = admin.json("POST", "/campaigns", R"({"name":"All","channel":"plain","labels":["news"],"text":"Hello all"})", 201);
    return done_on(ws, std::string(made.at("id").as_string()));
}

std::string channels_offered(const api_client& agent) {
    return json::serialize(agent.json("GET", "/me").at("campaign_channels"));
}

json::array campaigns_of(const api_client& agent) {
    return agent.json("GET", "/campaigns").at("campaigns").as_array();
}

std::string iso_in(std::chrono::seconds from_now) {
    return switchboard::to_iso8601(std::chrono::system_clock::now() + from_now);
}

// The ids of the campaigns whose rows (`campaign:<id>`) a server's database holds.
std::vector<std::string> campaign_rows(const std::filesystem::path& data) {
    std::vector<std::string> ids;
    for (auto& row : sqlite_rows(data / "switchboard.db",
                                 "SELECT substr(key, 10) FROM settings WHERE key LIKE 'campaign:%' ORDER BY key"))
        ids.push_back(row.at(0));
    return ids;
}

std::string made(const api_client& admin, const std::string& body) {
    return std::string(admin.json("POST", "/campaigns", body, 201).at("id").as_string());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(campaigns)

BOOST_AUTO_TEST_CASE(an_admin_sends_a_campaign_to_the_users_filed_under_its_labels) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");

    for (auto phone : {"15550001", "15550002", "15550003", "15550004", "15550005", "15550006"}) user_says(p, phone, "hi");
    file_under(admin, "15550001", R"(["vip"])");
    file_under(admin, "15550002", R"(["vip"])");
    user_says(p, "15550002", "support");  // in the queue: a broadcast does not cut into a chat
    file_under(admin, "15550003", R"(["news"])");
    file_under(admin, "15550004", R"(["billing"])");
    file_under(admin, "15550005", R"(["vip"])");
    admin.json("PUT", "/conversations/15550005/blocked", R"({"blocked":true})");
    file_under(admin, "15550006", R"(["news","vip"])");
    BOOST_TEST(outbound.requests().empty());
    outbound.script({{400, R"({"error":"no such user"})", {}}});  // the campaign's first message is refused
    BOOST_TEST(channels_offered(lea) == R"(["plain"])");

    // Who it would go to, asked first: 1, 2, 3 and 6 (2 is passed over when its turn comes, in a chat).
    BOOST_TEST(lea.json("GET", "/campaigns/audience?channel=plain&labels=VIP,%20news").at("users").as_int64() == 4);
    BOOST_TEST(lea.json("GET", "/campaigns/audience?channel=plain&labels=billing").at("users").as_int64() == 1);
    BOOST_TEST(lea.json("GET", "/campaigns/audience?channel=whatsapp&labels=vip").at("users").as_int64() == 0);
    BOOST_TEST(refused_field(lea.call("GET", "/campaigns/audience?channel=plain&labels=")) == "labels");
    BOOST_TEST(refused_field(lea.call("GET", "/campaigns/audience?channel=sms&labels=vip")) == "channel");
    auto made = admin.json("POST", "/campaigns",
                           R"({"name":" Winter sale ","channel":"plain","labels":["VIP","news"],"text":"20% off this week"})",
                           201);
    auto id = std::string(made.at("id").as_string());
    BOOST_TEST(made.at("name").as_string() == "Winter sale");
    BOOST_TEST(made.at("status").as_string() == "scheduled");
    BOOST_TEST(json::serialize(made.at("labels")) == R"(["news","vip"])");
    BOOST_TEST(made.at("template").is_null());
    BOOST_TEST(made.at("created_by").as_string() == "admin");

    auto done = done_on(ws, id);
    BOOST_TEST(done.at("recipients").as_int64() == 4);  // 1, 2, 3 and 6; not the blocked user, nor billing's
    BOOST_TEST(done.at("sent").as_int64() == 3);
    BOOST_TEST(done.at("skipped").as_int64() == 1);  // 2, in a chat when its turn came
    BOOST_TEST(!done.at("started_at").is_null());
    BOOST_TEST(!done.at("finished_at").is_null());

    std::set<std::string> reached;
    for (auto& r : outbound.wait_for(3)) {
        auto sent = json::parse(r.body);
        BOOST_TEST(sent.at("text").as_string() == "20% off this week");
        reached.insert(std::string(sent.at("to").as_string()));
    }
    BOOST_TEST((reached == std::set<std::string>{"15550001", "15550003", "15550006"}));
    // The refused one counts as failed, once the outbox has its answer.
    auto counted = once_counted(ws, "failed", 1);
    BOOST_TEST(counted.at("failed").as_int64() == 1);
    BOOST_TEST(counted.at("delivered").as_int64() == 0);  // the plain webhook tells of no delivery

    // In each history as the admin's message, outside any chat.
    auto c = admin.json("GET", "/conversations/15550006");
    BOOST_TEST(c.at("state").as_string() == "IDLE");
    auto last = c.at("messages").as_array().back();
    BOOST_TEST(last.at("sender").as_string() == "admin");
    BOOST_TEST(last.at("agent").as_string() == "admin");
    BOOST_TEST(last.at("text").as_string() == "20% off this week");
    auto queued = admin.json("GET", "/conversations/15550002");
    BOOST_TEST(queued.at("messages").as_array().back().at("text").as_string() != "20% off this week");
    auto blocked = admin.json("GET", "/conversations/15550005");
    BOOST_TEST(blocked.at("messages").as_array().back().at("text").as_string() != "20% off this week");

    // The user's answer goes to the bot, as anything they write outside a chat.
    auto answer = user_says(p, "15550001", "support");
    BOOST_TEST(answer.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(admin.json("GET", "/conversations/15550001").at("queue_position").as_int64() == 2);

    // Every agent reads them; only admins make and delete them.
    auto listed = campaigns_of(lea);
    BOOST_TEST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].at("status").as_string() == "done");
    BOOST_TEST(lea.json("GET", "/campaigns/" + id).at("sent").as_int64() == 3);
    refused(lea.call("POST", "/campaigns", R"({"name":"x","channel":"plain","labels":["vip"],"text":"x"})"), 403,
            "forbidden", "admin");
    refused(lea.call("DELETE", "/campaigns/" + id), 403, "forbidden", "admin");

    BOOST_TEST(admin.json("DELETE", "/campaigns/" + id).at("deleted").as_string() == id);
    BOOST_TEST(ws.next_of_type("campaign.deleted").at("data").at("id").as_string() == id);
    refused(admin.call("GET", "/campaigns/" + id), 404, "not_found", "no campaign " + id);
    refused(admin.call("DELETE", "/campaigns/" + id), 404, "not_found", "no campaign " + id);
    BOOST_TEST(campaigns_of(admin).empty());
    auto audit = admin.json("GET", "/audit-log").at("entries").as_array();
    BOOST_TEST_REQUIRE(audit.size() >= 2u);
    BOOST_TEST(audit[0].at("action").as_string() == "campaign.deleted");
    BOOST_TEST(audit[1].at("action").as_string() == "campaign.created");
    BOOST_TEST(audit[1].at("target").as_string() == id);
    BOOST_TEST(outbound.requests().size() == 3u);
}

// except_labels: those who asked for no more (filed under opted-out by an
// automation on "stop", say) are left out, also when filed so after the
// campaign started.
BOOST_AUTO_TEST_CASE(a_campaign_leaves_out_the_users_under_its_except_labels) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url(), "--campaign-rate", "1"});
    auto p = server.port();
    auto admin = admin_client(server);
    for (auto phone : {"15550001", "15550002", "15550003", "15550004"}) user_says(p, phone, "hi");
    file_under(admin, "15550001", R"(["vip"])");
    file_under(admin, "15550002", R"(["vip","opted-out"])");
    file_under(admin, "15550003", R"(["news"])");
    file_under(admin, "15550004", R"(["news"])");
    BOOST_TEST(admin.json("GET", "/campaigns/audience?channel=plain&labels=vip,news&except=Opted%20out")
                   .at("users")
                   .as_int64() == 3);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    auto made = admin.json("POST", "/campaigns",
                           R"({"name":"Sale","channel":"plain","labels":["vip","news"],"except_labels":["Opted out"],)"
                           R"("text":"Sale today"})",
                           201);
    BOOST_TEST(json::serialize(made.at("except_labels")) == R"(["opted-out"])");
    // A user a second: the last one asks for no more before their turn.
    BOOST_TEST(json::parse(outbound.wait_for(1)[0].body).at("to").as_string() == "15550001");
    file_under(admin, "15550004", R"(["news","opted-out"])");
    auto done = done_on(ws, std::string(made.at("id").as_string()));
    BOOST_TEST(done.at("recipients").as_int64() == 3);  // 1, 3 and 4 when it started
    BOOST_TEST(done.at("sent").as_int64() == 2);
    BOOST_TEST(done.at("skipped").as_int64() == 1);
    std::set<std::string> reached;
    for (auto& r : outbound.wait_for(2)) reached.insert(std::string(json::parse(r.body).at("to").as_string()));
    BOOST_TEST((reached == std::set<std::string>{"15550001", "15550003"}));
    refused_naming(admin.call("POST", "/campaigns",
                              R"({"name":"s","channel":"plain","labels":["vip"],"except_labels":"x","text":"x"})"),
                   "except_labels", "must be an array of labels");
    refused_naming(admin.call("GET", "/campaigns/audience?channel=plain&labels=vip&except=no%20way!"), "except",
                   "a label is 1 to 32");
}

// PATCH /campaigns/{id}: until it starts, an admin changes its name,
// audience, message and time; its channel stays.
BOOST_AUTO_TEST_CASE(an_admin_changes_a_campaign_until_it_starts) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    for (auto phone : {"15550001", "15550002"}) user_says(p, phone, "hi");
    file_under(admin, "15550001", R"(["vip"])");
    file_under(admin, "15550002", R"(["news"])");
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    auto id = std::string(admin.json("POST", "/campaigns",
                                     R"({"name":"Draft","channel":"plain","labels":["vip"],"text":"Soon",)"
                                     R"("scheduled_at":")" + iso_in(std::chrono::hours(1)) + "\"}",
                                     201)
                              .at("id")
                              .as_string());
    ws.next_of_type("campaign.updated");
    auto change = [&](const std::string& body) { return admin.call("PATCH", "/campaigns/" + id, body); };

    refused_naming(change(R"({"channel":"whatsapp"})"), "channel", "make a campaign on the other channel");
    refused_naming(change(R"({"labels":[]})"), "labels", "name one at least");
    refused_naming(change(R"({"template":{"name":"t"}})"), "template", "templates are WhatsApp's");
    refused_naming(change(R"({"scheduled_at":"soon"})"), "scheduled_at", "ISO-8601");
    refused(lea.call("PATCH", "/campaigns/" + id, R"({"name":"x"})"), 403, "forbidden", "admin");
    refused(admin.call("PATCH", "/campaigns/cmp_none", R"({"name":"x"})"), 404, "not_found", "no campaign cmp_none");
    BOOST_TEST(admin.json("GET", "/campaigns/" + id).at("name").as_string() == "Draft");  // refused: as it was

    auto changed = admin.json("PATCH", "/campaigns/" + id, R"({"name":" Sale ","labels":["News"],"text":"Sale today"})");
    BOOST_TEST(changed.at("name").as_string() == "Sale");
    BOOST_TEST(json::serialize(changed.at("labels")) == R"(["news"])");
    BOOST_TEST(changed.at("text").as_string() == "Sale today");
    BOOST_TEST(changed.at("status").as_string() == "scheduled");
    BOOST_TEST(ws.next_of_type("campaign.updated").at("data").at("campaign").at("name").as_string() == "Sale");
    BOOST_TEST(outbound.requests().empty());

    // Now, rather than in an hour: it goes to news's user, with the new text.
    admin.json("PATCH", "/campaigns/" + id, R"({"scheduled_at":null})");
    auto done = done_on(ws, id);
    BOOST_TEST(done.at("sent").as_int64() == 1);
    auto sent = json::parse(outbound.wait_for(1)[0].body);
    BOOST_TEST(sent.at("to").as_string() == "15550002");
    BOOST_TEST(sent.at("text").as_string() == "Sale today");
    refused(change(R"({"name":"Too late"})"), 409, "conflict", "has started");
    auto audit = admin.json("GET", "/audit-log").at("entries").as_array();
    BOOST_TEST_REQUIRE(audit.size() >= 2u);
    BOOST_TEST(audit[0].at("action").as_string() == "campaign.updated");
    BOOST_TEST(json::serialize(audit[0].at("details").at("fields")) == R"(["scheduled_at"])");
}

BOOST_AUTO_TEST_CASE(a_campaign_refused_changes_nothing) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    user_says(p, "15550001", "hi");
    file_under(admin, "15550001", R"(["vip"])");
    auto make = [&](const std::string& body) { return admin.call("POST", "/campaigns", body); };

    refused_naming(make(R"({"channel":"plain","labels":["vip"],"text":"x"})"), "name", "name is required");
    refused_naming(make(R"({"name":"  ","channel":"plain","labels":["vip"],"text":"x"})"), "name", "must not be blank");
    refused_naming(make(R"({"name":"s","channel":"sms","labels":["vip"],"text":"x"})"), "channel", "whatsapp or plain");
    refused_naming(make(R"({"name":"s","channel":"plain","text":"x"})"), "labels", "must be an array");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":[],"text":"x"})"), "labels", "name one at least");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":["no way!"],"text":"x"})"), "labels",
                   "a label is 1 to 32 characters");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":["vip"]})"), "text", "text is required");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":["vip"],"text":"x","template":{"name":"t"}})"),
                   "template", "templates are WhatsApp's");
    refused_naming(make(R"({"name":"s","channel":"whatsapp","labels":["vip"],"text":"x"})"), "text",
                   "sends a template");
    refused_naming(make(R"({"name":"s","channel":"whatsapp","labels":["vip"]})"), "template", "template is required");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":["vip"],"text":"x","scheduled_at":"soon"})"),
                   "scheduled_at", "ISO-8601");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":["vip"],"text":"x","scheduled_at":")" +
                        iso_in(std::chrono::seconds(-60)) + "\"}"),
                   "scheduled_at", "in the future");
    refused_naming(make(R"({"name":"s","channel":"plain","labels":["vip"],"text":"x","scheduled_at":")" +
                        iso_in(std::chrono::hours(24 * 400)) + "\"}"),
                   "scheduled_at", "a year ahead at most");
    refused_naming(make("[1]"), "body", "JSON object");
    refused(http_request(p, "POST", "/campaigns", R"({"name":"s","channel":"plain","labels":["vip"],"text":"x"})"), 401,
            "unauthorized", "log in");
    // Templates are WhatsApp's to list: a server without them cannot check one.
    refused(make(R"({"name":"s","channel":"whatsapp","labels":["vip"],"template":{"name":"t","language":"en"}})"), 409,
            "not_configured", "--wa-business-account-id");

    BOOST_TEST(campaigns_of(admin).empty());
    // hi, the menu, and the note of the label put on
    BOOST_TEST(admin.json("GET", "/conversations/15550001").at("messages").as_array().size() == 3u);
    BOOST_TEST(outbound.requests().empty());

    // Without --outbound-url a plain-webhook user cannot be reached.
    server_process unreachable;
    auto unreachable_admin = admin_client(unreachable);
    refused(unreachable_admin.call("POST", "/campaigns", R"({"name":"s","channel":"plain","labels":["vip"],"text":"x"})"),
            409, "not_configured", "--outbound-url");
    BOOST_TEST(campaigns_of(unreachable_admin).empty());
    BOOST_TEST(channels_offered(unreachable_admin) == "[]");
}

BOOST_AUTO_TEST_CASE(a_whatsapp_campaign_sends_an_approved_template_from_each_users_business_number) {
    receiver graph;
    receiver outbound;
    server_process server({"--wa-api-base", graph.url() + "/v99.0", "--wa-token", "tok-123", "--wa-business-account-id",
                           "waba-77", "--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    whatsapp_user_says(p, "15557601", "wamid.in-1", "hi");
    whatsapp_user_says(p, "15557602", "wamid.in-2", "hi");
    user_says(p, "15550001", "hi");  // the plain webhook's: not a WhatsApp campaign's
    graph.wait_for(2);                // the bot's menus
    for (auto phone : {"15557601", "15557602", "15550001"}) file_under(admin, phone, R"(["vip"])");

    BOOST_TEST(channels_offered(admin) == R"(["whatsapp","plain"])");
    // The list, then each template's answer with its own id, whichever user it is for.
    graph.script({{200, winter_sale_templates, {}},
                  {200, R"({"messages":[{"id":"wamid.c1"}]})", {}},
                  {200, R"({"messages":[{"id":"wamid.c2"}]})", {}}});
    ws_client statuses(p, "/ws?token=" + admin.token);
    statuses.next_of_type("hello");
    refused_naming(admin.call("POST", "/campaigns",
                              R"({"name":"s","channel":"whatsapp","labels":["vip"],)"
                              R"("template":{"name":"winter_sale","language":"en_US"}})"),
                   "template.parameters", "takes 1 value, and 0 were given");
    auto made = admin.json("POST", "/campaigns",
                           R"({"name":"Winter sale","channel":"whatsapp","labels":["vip"],)"
                           R"("template":{"name":"winter_sale","language":"en_US","parameters":["20%"]}})",
                           201);
    BOOST_TEST(made.at("text").as_string() == "Hi! 20% off everything this week.");
    BOOST_TEST(made.at("template").at("name").as_string() == "winter_sale");
    BOOST_TEST(made.at("template").at("language").as_string() == "en_US");
    auto done = done_on(ws, std::string(made.at("id").as_string()));
    BOOST_TEST(done.at("recipients").as_int64() == 2);
    BOOST_TEST(done.at("sent").as_int64() == 2);

    auto sent = graph.wait_for(5);  // two menus, the list, two templates
    std::set<std::string> reached;
    for (std::size_t i = 3; i < 5; ++i) {
        BOOST_TEST(sent[i].target == "/v99.0/106540352242922/messages");  // the number each user wrote to
        auto body = json::parse(sent[i].body);
        BOOST_TEST(body.at("type").as_string() == "template");
        BOOST_TEST(body.at("template").at("name").as_string() == "winter_sale");
        reached.insert(std::string(body.at("to").as_string()));
    }
    BOOST_TEST((reached == std::set<std::string>{"15557601", "15557602"}));
    auto last = admin.json("GET", "/conversations/15557601").at("messages").as_array().back();
    BOOST_TEST(last.at("type").as_string() == "template");
    BOOST_TEST(last.at("text").as_string() == "Hi! 20% off everything this week.");
    BOOST_TEST(last.at("client_id").as_string() == "campaign:" + std::string(made.at("id").as_string()));
    BOOST_TEST(outbound.requests().empty());

    // How they went, as Meta tells: counted to the campaign. Once both are
    // on their way (their ids kept), each status is said for both ids, of
    // which the user's own is the one it applies to.
    for (int on_way = 0; on_way < 2;) {
        auto e = statuses.next_of_type("message.status");
        if (e.at("data").at("status").as_string() == "sent" && e.at("data").at("type").as_string() == "template") ++on_way;
    }
    auto meta_says = [&](const std::string& user, const std::string& status) {
        for (auto wamid : {"wamid.c1", "wamid.c2"})
            http_request(p, "POST", "/webhook/whatsapp",
                         R"({"object":"whatsapp_business_account","entry":[{"id":"waba-77","changes":[{"field":"messages",)"
                         R"("value":{"messaging_product":"whatsapp","statuses":[{"id":")" + std::string(wamid) +
                             R"(","status":")" + status + R"(","timestamp":"1763900160","recipient_id":")" + user +
                             R"("}]}}]}]})");
    };
    meta_says("15557601", "delivered");
    meta_says("15557601", "read");
    meta_says("15557602", "read");  // read at once: delivered too
    meta_says("15557602", "failed");  // too late: it was delivered
    auto counted = once_counted(ws, "read", 2);
    BOOST_TEST(counted.at("delivered").as_int64() == 2);
    BOOST_TEST(counted.at("failed").as_int64() == 0);
    auto kept = admin.json("GET", "/campaigns/" + std::string(made.at("id").as_string()));
    BOOST_TEST(kept.at("delivered").as_int64() == 2);
    BOOST_TEST(kept.at("read").as_int64() == 2);
}

// --campaign-rate: its users' turns come at most that many a second, so
// that the live chats' replies, which share the outbox, do not wait behind it.
BOOST_AUTO_TEST_CASE(a_campaign_goes_at_most_campaign_rate_users_a_second) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url(), "--campaign-rate", "20"});
    auto p = server.port();
    auto admin = admin_client(server);
    constexpr int users = 31;
    auto done = campaign_to_everyone(p, admin, users);
    BOOST_TEST(done.at("sent").as_int64() == users);
    auto started = switchboard::parse_iso8601(done.at("started_at").as_string());
    auto finished = switchboard::parse_iso8601(done.at("finished_at").as_string());
    BOOST_TEST_REQUIRE((started && finished));
    // 30 turns after the first, each a twentieth of a second after the last at the soonest.
    BOOST_TEST(std::chrono::duration<double>(*finished - *started).count() >= 1.5);
}

// Thousands in memory, where each write is answered at once: the runner
// goes from user to user without the stack growing under it.
BOOST_AUTO_TEST_CASE(a_campaign_reaches_thousands_of_users_in_memory) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url(), "--campaign-rate", "0"});
    auto p = server.port();
    auto admin = admin_client(server);
    constexpr int users = 5000;
    auto done = campaign_to_everyone(p, admin, users);
    BOOST_TEST(done.at("sent").as_int64() == users);
    BOOST_TEST(outbound.wait_for(users, std::chrono::seconds(60)).size() == std::size_t(users));
}

BOOST_AUTO_TEST_CASE(a_deleted_campaign_leaves_no_row_behind) {
    temp_dir data;
    receiver outbound;
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", outbound.url(), "--campaign-rate", "0"});
    std::string kept;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        file_everyone(p, admin, 300, "vip");
        auto later = R"(,"scheduled_at":")" + iso_in(std::chrono::hours(1)) + "\"}";
        kept = made(admin, R"({"name":"Kept","channel":"plain","labels":["vip"],"text":"Later")" + later);
        auto scheduled = made(admin, R"({"name":"Gone","channel":"plain","labels":["vip"],"text":"Never")" + later);
        BOOST_TEST(admin.call("DELETE", "/campaigns/" + scheduled).status == 200u);
        // One deleted while it sends: its progress is written as each user
        // is done, and a write on its way as it is deleted must not bring
        // its row back.
        auto sending = made(admin, R"({"name":"Sale","channel":"plain","labels":["vip"],"text":"Sale today"})");
        outbound.wait_for(1);
        BOOST_TEST(admin.call("DELETE", "/campaigns/" + sending).status == 200u);
        BOOST_TEST(campaigns_of(admin).size() == 1u);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    BOOST_TEST(campaign_rows(data.path()) == std::vector<std::string>{kept});
    server_process server(args);
    auto listed = campaigns_of(known_admin(server.port()));
    BOOST_TEST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed.at(0).at("id").as_string() == kept);
}

BOOST_AUTO_TEST_CASE(a_database_from_before_loses_the_rows_of_campaigns_deleted_then) {
    temp_dir data;
    receiver outbound;
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", outbound.url()});
    std::string kept;
    {
        server_process server(args);
        kept = made(known_admin(server.port()),
                    R"({"name":"Kept","channel":"plain","labels":["vip"],"text":"Later","scheduled_at":")" +
                        iso_in(std::chrono::hours(1)) + "\"}");
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    // As a deletion left a campaign's row before it removed it too.
    auto db = data.path() / "switchboard.db";
    sqlite_script(db, "INSERT INTO settings (key, value) SELECT 'campaign:cmp_gone', value FROM settings "
                      "WHERE key = 'campaign:" + kept + "'; " + schema_back_to(46));
    BOOST_TEST_REQUIRE(campaign_rows(data.path()).size() == 2u);
    server_process server(args);
    BOOST_TEST(campaign_rows(data.path()) == std::vector<std::string>{kept});
    BOOST_TEST(campaigns_of(known_admin(server.port())).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_campaigns_delivery_counts_are_kept_across_a_restart) {
    temp_dir data;
    receiver outbound;
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", outbound.url()});
    std::string id;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        file_everyone(p, admin, 2, "vip");
        ws_client ws(p, "/ws?token=" + admin.token);
        ws.next_of_type("hello");
        outbound.script({{400, R"({"error":"no such user"})", {}}});
        id = admin.json("POST", "/campaigns", R"({"name":"Sale","channel":"plain","labels":["vip"],"text":"Sale"})", 201)
                 .at("id")
                 .as_string();
        once_counted(ws, "failed", 1);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    server_process server(args);
    auto kept = known_admin(server.port()).json("GET", "/campaigns/" + id);
    BOOST_TEST(kept.at("failed").as_int64() == 1);
    BOOST_TEST(kept.at("sent").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(a_campaign_keeps_its_time_and_its_place_across_a_restart) {
    temp_dir data;
    receiver outbound;
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", outbound.url(), "--campaign-rate", "0"});
    constexpr int users = 600;
    std::string later_id, now_id;
    {
        server_process server(args);
        auto p = server.port();
        auto admin = known_admin(p);
        file_everyone(p, admin, users, "vip");
        later_id = admin.json("POST", "/campaigns",
                              R"({"name":"New year","channel":"plain","labels":["vip"],"except_labels":["opted-out"],)"
                              R"("text":"Happy new year",)"
                              R"("scheduled_at":")" + iso_in(std::chrono::hours(1)) + "\"}",
                              201)
                       .at("id")
                       .as_string();
        now_id = admin.json("POST", "/campaigns",
                            R"({"name":"Sale","channel":"plain","labels":["vip"],"text":"Sale today"})", 201)
                     .at("id")
                     .as_string();
        // Stopped while it sends, most likely: the rest go after the restart.
        outbound.wait_for(1);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    server_process server(args);
    auto p = server.port();
    auto admin = known_admin(p);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    auto now = admin.json("GET", "/campaigns/" + now_id).as_object();
    if (now.at("status").as_string() != "done") {
        BOOST_TEST_MESSAGE("the restart came at user " << now.at("sent").as_int64() + 1);
        now = done_on(ws, now_id);
    }
    BOOST_TEST(now.at("recipients").as_int64() == users);
    BOOST_TEST(now.at("sent").as_int64() == users);
    BOOST_TEST(now.at("skipped").as_int64() == 0);

    // Each user has the message once, whatever the outbox delivered twice:
    // one sent as the server stopped goes again, and counts once.
    auto recipients = [](const std::vector<received_request>& got) {
        std::set<std::string> to;
        for (auto& r : got) to.insert(std::string(json::parse(r.body).at("to").as_string()));
        return to.size();
    };
    std::map<std::string, std::set<std::string>> ids_by_user;
    for (auto& r : outbound.wait_until([&](auto& got) { return recipients(got) >= std::size_t(users); })) {
        auto sent = json::parse(r.body);
        BOOST_TEST(sent.at("text").as_string() == "Sale today");
        ids_by_user[std::string(sent.at("to").as_string())].insert(std::string(sent.at("id").as_string()));
    }
    BOOST_TEST(ids_by_user.size() == std::size_t(users));
    for (auto& [user, ids] : ids_by_user) BOOST_TEST(ids.size() == 1u, user);

    // The one for later waits for its time still.
    auto later = admin.json("GET", "/campaigns/" + later_id);
    BOOST_TEST(later.at("status").as_string() == "scheduled");
    BOOST_TEST(json::serialize(later.at("except_labels")) == R"(["opted-out"])");
    BOOST_TEST(later.at("sent").as_int64() == 0);
    BOOST_TEST(campaigns_of(admin).size() == 2u);

    // One for a moment ahead starts at its time, not before.
    auto soon = admin.json("POST", "/campaigns",
                           R"({"name":"Soon","channel":"plain","labels":["vip"],"text":"Soon","scheduled_at":")" +
                               iso_in(std::chrono::seconds(2)) + "\"}",
                           201);
    BOOST_TEST(soon.at("status").as_string() == "scheduled");
    auto ran = done_on(ws, std::string(soon.at("id").as_string()));
    BOOST_TEST(ran.at("sent").as_int64() == users);
    BOOST_TEST(ran.at("started_at").as_string() >= ran.at("scheduled_at").as_string());
    BOOST_TEST(campaigns_of(admin).size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
