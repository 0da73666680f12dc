// POST /contacts/import against the real server: an admin's CSV of users,
// who become conversations with no message (out of the agents' lists until
// one is written), whom a campaign reaches by their labels and an agent
// writes to first; a user there already takes the list's labels and details.
#include "api_session.hpp"
#include "http_client.hpp"
#include "receiver.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "template_lists.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <set>

using namespace switchboard::test;
namespace json = boost::json;

namespace {

http_result import(const api_client& admin, const std::string& channel, const std::string& csv) {
    return admin.call("POST", "/contacts/import?channel=" + channel, csv);
}

json::object imported(const api_client& admin, const std::string& channel, const std::string& csv) {
    auto r = import(admin, channel, csv);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return json::parse(r.body).as_object();
}

std::string counts_of(const json::object& answer) {
    return std::to_string(answer.at("created").as_int64()) + " created, " +
           std::to_string(answer.at("updated").as_int64()) + " updated, " +
           std::to_string(answer.at("unchanged").as_int64()) + " unchanged";
}

std::set<std::string> listed_phones(const api_client& agent) {
    std::set<std::string> phones;
    auto page = agent.json("GET", "/conversations?limit=200");
    for (auto& c : page.at("conversations").as_array()) phones.insert(std::string(c.at("phone").as_string()));
    BOOST_TEST(page.at("counts").at("all").as_int64() == static_cast<std::int64_t>(phones.size()));
    return phones;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(contact_import)

BOOST_AUTO_TEST_CASE(an_admin_imports_users_whom_a_whatsapp_campaign_then_reaches) {
    receiver graph;
    server_process server({"--wa-api-base", graph.url() + "/v99.0", "--wa-token", "tok-123", "--wa-business-account-id",
                           "waba-77", "--wa-phone-number-id", "555000111"});
    auto p = server.port();
    auto admin = admin_client(server);
    whatsapp_user_says(p, "15557601", "wamid.in-1", "hi");  // Sam, by their profile
    whatsapp_user_says(p, "15557603", "wamid.in-3", "hi");
    graph.wait_for(2);  // the bot's menus
    admin.json("PUT", "/conversations/15557603/name", R"({"name":"Cy"})");  // as an agent names them
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    BOOST_TEST(json::serialize(admin.json("GET", "/me").at("import_channels")) == R"(["whatsapp","plain"])");

    // As a spreadsheet saves it: a byte order mark, CRLF, quotes, numbers as people write them.
    auto answer = imported(admin, "whatsapp",
                           "\xEF\xBB\xBF"
                           "Phone,Name,Labels,Email,Plan\r\n"
                           "+1 (555) 760-1000,\"Lima, Ana\",\"VIP, news\",ana@example.com,gold\r\n"
                           "15557601,Bo,vip,,\r\n"
                           "1.555.760.2000,,vip;news,,silver\r\n"
                           "15557603,Someone else,,,\r\n");
    BOOST_TEST(counts_of(answer) == "2 created, 1 updated, 1 unchanged");
    BOOST_TEST(answer.at("channel").as_string() == "whatsapp");

    // A contact: the conversation is there, with no message, and in no list.
    auto ana = admin.json("GET", "/conversations/15557601000");
    BOOST_TEST(ana.at("name").as_string() == "Lima, Ana");
    BOOST_TEST(ana.at("registered").as_bool());
    BOOST_TEST(ana.at("channel").as_string() == "whatsapp");
    BOOST_TEST(ana.at("state").as_string() == "IDLE");
    BOOST_TEST(json::serialize(ana.at("labels")) == R"(["news","vip"])");
    BOOST_TEST(json::serialize(ana.at("attributes")) == R"({"email":"ana@example.com","plan":"gold"})");
    BOOST_TEST(ana.at("messages").as_array().empty());
    BOOST_TEST(admin.json("GET", "/conversations/15557602000").at("name").as_string() == "");
    BOOST_TEST((listed_phones(admin) == std::set<std::string>{"15557601", "15557603"}));
    BOOST_TEST(admin.json("GET", "/conversations/15557603").at("name").as_string() == "Cy");  // an agent's word stands
    // The user who wrote takes the list's labels and name over their app's.
    auto bo = admin.json("GET", "/conversations/15557601");
    BOOST_TEST(bo.at("name").as_string() == "Bo");
    BOOST_TEST(json::serialize(bo.at("labels")) == R"(["vip"])");
    BOOST_TEST(bo.at("messages").as_array().size() == 2u);
    // Agents hear of the change to a conversation in their list, and of no contact.
    admin.json("PUT", "/conversations/15557601/priority", R"({"priority":"high"})");
    auto first = ws.next_of_type("conversation.updated");
    BOOST_TEST(first.at("data").at("phone").as_string() == "15557601");
    BOOST_TEST(first.at("data").at("labels").as_array().size() == 1u);
    BOOST_TEST(ws.next_of_type("conversation.updated").at("data").at("priority").as_string() == "high");

    // A campaign reaches the contacts by their labels, from the business number.
    BOOST_TEST(admin.json("GET", "/campaigns/audience?channel=whatsapp&labels=vip").at("users").as_int64() == 3);
    graph.script({{200, winter_sale_templates, {}}});
    auto made = admin.json("POST", "/campaigns",
                           R"({"name":"Winter sale","channel":"whatsapp","labels":["vip"],)"
                           R"("template":{"name":"winter_sale","language":"en_US","parameters":["20%"]}})",
                           201);
    for (;;) {
        auto e = ws.next_of_type("campaign.updated", std::chrono::seconds(20));
        if (e.at("data").at("campaign").at("status").as_string() == "done") {
            BOOST_TEST(e.at("data").at("campaign").at("sent").as_int64() == 3);
            break;
        }
    }
    std::set<std::string> from_business_number;
    for (auto& r : graph.wait_for(6))  // two menus, the templates' list, three templates
        if (r.target == "/v99.0/555000111/messages")
            from_business_number.insert(std::string(json::parse(r.body).at("to").as_string()));
    BOOST_TEST((from_business_number == std::set<std::string>{"15557601000", "15557602000"}));
    // Written to, they are conversations: in the list, and announced.
    BOOST_TEST((listed_phones(admin) == std::set<std::string>{"15557601", "15557603", "15557601000", "15557602000"}));
    auto last = admin.json("GET", "/conversations/15557602000").at("messages").as_array();
    BOOST_TEST_REQUIRE(last.size() == 1u);
    BOOST_TEST(last[0].at("text").as_string() == "Hi! 20% off everything this week.");

    // The same file again changes nothing; the import is in the audit log.
    BOOST_TEST(counts_of(imported(admin, "whatsapp",
                                  "Phone,Name,Labels,Email,Plan\n"
                                  "+1 (555) 760-1000,\"Lima, Ana\",\"VIP, news\",ana@example.com,gold\n"
                                  "15557601,Bo,vip,,\n")) == "0 created, 0 updated, 2 unchanged");
    auto audit = admin.json("GET", "/audit-log").at("entries").as_array();
    std::size_t imports = 0;
    for (auto& e : audit)
        if (e.at("action").as_string() == "contacts.imported") {
            ++imports;
            BOOST_TEST(e.at("actor").as_string() == "admin");
        }
    BOOST_TEST(imports == 2u);
}

// Kept across a restart; an agent's first message opens the contact's
// conversation with what the import said of them, and their own first
// message is answered by the name it gave.
BOOST_AUTO_TEST_CASE(an_imported_contact_is_kept_and_opened_as_a_conversation) {
    temp_dir data;
    receiver outbound;
    auto args = kept_in(data.path());
    args.insert(args.end(), {"--outbound-url", outbound.url()});
    {
        server_process server(args);
        auto admin = known_admin(server.port());
        BOOST_TEST(counts_of(imported(admin, "plain&labels=Spring%20fair",
                                      "phone,name,labels,plan\n15550100,Ana,vip,gold\n15550101,Bo,,\n"
                                      "15550102,,\"a,b,c,d,e,f,g,h\",\n")) == "3 created, 0 updated, 0 unchanged");
        // Each filed under the import's labels too.
        BOOST_TEST(admin.json("GET", "/campaigns/audience?channel=plain&labels=spring-fair").at("users").as_int64() == 3);
        server.send_signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait_exit(std::chrono::seconds(10)).has_value());
    }
    server_process server(args);
    auto p = server.port();
    auto admin = known_admin(p);
    BOOST_TEST(listed_phones(admin).empty());
    BOOST_TEST(admin.json("GET", "/conversations/15550100").at("name").as_string() == "Ana");

    auto opened = admin.json("POST", "/conversations",
                             R"({"phone":"15550100","channel":"plain","text":"Hi Ana","labels":["new"]})", 201);
    auto c = opened.at("conversation");
    BOOST_TEST(c.at("assignee").as_string() == "admin");
    BOOST_TEST(c.at("name").as_string() == "Ana");
    BOOST_TEST(json::serialize(c.at("labels")) == R"(["new","spring-fair","vip"])");
    BOOST_TEST(json::serialize(c.at("attributes")) == R"({"plan":"gold"})");
    BOOST_TEST(json::parse(outbound.wait_for(1)[0].body).at("text").as_string() == "Hi Ana");
    refused(admin.call("POST", "/conversations", R"({"phone":"15550100","channel":"plain","text":"Again"})"), 409,
            "conversation_exists", "open it");
    refused(admin.call("POST", "/conversations", R"({"phone":"15550102","channel":"plain","text":"Hi","labels":["x","y"]})"),
            409, "conflict", "would have 11 labels");
    BOOST_TEST(admin.json("GET", "/conversations/15550102").at("messages").as_array().empty());

    auto reply = user_says(p, "15550101", "hello");
    BOOST_TEST(reply.at("replies").as_array()[0].at("text").as_string().starts_with("Hi Bo!"));
    BOOST_TEST((listed_phones(admin) == std::set<std::string>{"15550100", "15550101"}));
}

// GET /contacts/export: every user, those who wrote and those imported,
// in the columns an import reads, so that the file reads back unchanged.
BOOST_AUTO_TEST_CASE(an_export_lists_every_user_as_an_import_reads_them_back) {
    server_process server;
    auto p = server.port();
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    user_says(p, "15550001", "hi", "Sam");  // named by their app
    admin.json("PUT", "/conversations/15550001/labels", R"({"labels":["vip","news"]})");
    admin.json("PUT", "/conversations/15550001/attributes", R"({"attributes":{"note":"-5 points"}})");
    imported(admin, "plain", "phone,name,labels,plan\n15550100,Ana,vip,gold\n15550101,\"Lima, Bo\",,\n");

    auto all = admin.call("GET", "/contacts/export");
    BOOST_TEST(all.status == 200u);
    BOOST_TEST(all.header("content-type") == "text/csv; charset=utf-8");
    BOOST_TEST(all.header("content-disposition") == "attachment; filename=\"contacts.csv\"");
    BOOST_TEST(all.body == "phone,name,labels,channel,note,plan\r\n"
                           "15550001,Sam,\"news,vip\",plain,'-5 points,\r\n"  // a leading - defused for spreadsheets
                           "15550100,Ana,vip,plain,,gold\r\n"
                           "15550101,\"Lima, Bo\",,plain,,\r\n");
    BOOST_TEST(admin.call("GET", "/contacts/export?label=VIP").body ==
               "phone,name,labels,channel,note,plan\r\n15550001,Sam,\"news,vip\",plain,'-5 points,\r\n"
               "15550100,Ana,vip,plain,,gold\r\n");
    BOOST_TEST(admin.call("GET", "/contacts/export?channel=whatsapp").body == "phone,name,labels,channel\r\n");

    BOOST_TEST(counts_of(imported(admin, "plain", all.body)) == "0 created, 0 updated, 3 unchanged");
    auto sam = admin.json("GET", "/conversations/15550001");
    BOOST_TEST(sam.at("attributes").at("note").as_string() == "-5 points");
    BOOST_TEST(!sam.at("registered").as_bool());  // still their app's name, which their app may change
    refused_naming(admin.call("GET", "/contacts/export?channel=sms"), "channel", "whatsapp or plain");
    refused_naming(admin.call("GET", "/contacts/export?label=no%20way!"), "label", "a label is 1 to 32");
    refused(lea.call("GET", "/contacts/export"), 403, "forbidden", "admin");
}

// GET /contacts, Chatwoot's Contacts: every user, those who wrote and the
// imported ones the list leaves out, by phone, a page at a time; any agent.
BOOST_AUTO_TEST_CASE(the_contacts_list_shows_every_user_by_phone_a_page_at_a_time) {
    server_process server;
    auto p = server.port();
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    user_says(p, "15550201", "hi", "Ana");
    imported(admin, "plain", "phone,name,labels,plan\n15550203,Cy,news,gold\n15550202,Bo,vip,\n");
    auto phones_of = [&](const std::string& query) {
        auto page = lea.json("GET", "/contacts" + query);
        std::string out;
        for (auto& c : page.at("contacts").as_array())
            out += (out.empty() ? "" : " ") + std::string(c.at("phone").as_string()) +
                   (c.at("no_message_yet").as_bool() ? "*" : "");
        return out + " of " + std::to_string(page.at("total").as_int64()) + " next " + json::serialize(page.at("next_after"));
    };
    BOOST_TEST(phones_of("") == "15550201 15550202* 15550203* of 3 next null");
    BOOST_TEST(phones_of("?limit=2") == R"(15550201 15550202* of 3 next "15550202")");
    BOOST_TEST(phones_of("?limit=2&after=15550202") == "15550203* of 3 next null");
    BOOST_TEST(phones_of("?q=GOLD") == "15550203* of 1 next null");  // a detail
    BOOST_TEST(phones_of("?q=an") == "15550201 of 1 next null");     // a name
    BOOST_TEST(phones_of("?q=0202") == "15550202* of 1 next null");  // a phone
    BOOST_TEST(phones_of("?label=vip") == "15550202* of 1 next null");
    BOOST_TEST(phones_of("?channel=whatsapp") == " of 0 next null");
    // A detail, as the conversation list's filter: its value in any case, the whole value, with the search too.
    BOOST_TEST(phones_of("?attribute=plan:Gold") == "15550203* of 1 next null");
    BOOST_TEST(phones_of("?attribute=plan:gol") == " of 0 next null");
    BOOST_TEST(phones_of("?attribute=plan:gold&q=an") == " of 0 next null");
    BOOST_TEST(phones_of("?attribute=plan:gold&label=news") == "15550203* of 1 next null");
    for (auto bad : {"plan", "plan:", ":gold", "pl%40n:gold"})
        refused_naming(lea.call("GET", std::string("/contacts?attribute=") + bad), "attribute", "as plan:Gold");
    BOOST_TEST(admin.call("GET", "/contacts/export?attribute=plan:GOLD").body ==
               "phone,name,labels,channel,plan\r\n15550203,Cy,news,plain,gold\r\n");
    refused_naming(admin.call("GET", "/contacts/export?attribute=plan"), "attribute", "as plan:Gold");
    auto cy = lea.json("GET", "/contacts?q=cy").at("contacts").at(0);
    BOOST_TEST(cy.at("name").as_string() == "Cy");
    BOOST_TEST(json::serialize(cy.at("labels")) == R"(["news"])");
    refused_naming(lea.call("GET", "/contacts?after=abc"), "after", "next_after");
    refused_naming(lea.call("GET", "/contacts?channel=sms"), "channel", "whatsapp or plain");
    refused_naming(lea.call("GET", "/contacts?limit=0"), "limit", "from 1 to 200");
    admin.json("DELETE", "/conversations/15550202");
    BOOST_TEST(phones_of("") == "15550201 15550203* of 2 next null");
}

BOOST_AUTO_TEST_CASE(a_file_with_a_bad_line_is_refused_whole) {
    server_process server({"--outbound-url", "http://127.0.0.1:9/out"});
    auto p = server.port();
    auto admin = admin_client(server);
    auto lea = agent_client(admin, "lea");
    user_says(p, "15550001", "hi");
    admin.json("PUT", "/conversations/15550001/labels", R"({"labels":["a","b","c","d","e","f","g","h","i"]})");
    auto bad = [&](const std::string& csv, const std::string& field, const std::string& words) {
        auto r = import(admin, "plain", csv);
        BOOST_TEST(refused_field(r) == field, r.body);
        BOOST_TEST(refusal_message(r, 400).find(words) != std::string::npos, r.body);
    };
    bad("name,labels\nAna,vip\n", "file", "one is phone");
    bad("", "file", "the file is empty");
    bad("phone\n", "file", "no contact");
    bad("phone,name\n15550100,Ana\n15550x01,Bo\n", "phone", "line 3: \"15550x01\" is no phone number");
    bad("phone,name\n15550100,Ana\n+1 555 0100,Bo\n", "phone", "line 3: +15550100 is on line 2 too");
    bad("phone,labels\n15550100,vip\n15550101,no way!\n", "labels", "line 3: \"no way!\": a label is 1 to 32");
    bad("phone,labels\n15550100,\"a,b,c,d,e,f,g,h,i,j,k\"\n", "labels", "line 2: a conversation has at most 10 labels");
    refused_naming(import(admin, "plain&labels=x,y", "phone,labels\n15550100,\"a,b,c,d,e,f,g,h,i\"\n"), "labels",
                   "line 2: with labels= it would have 11 labels");
    refused_naming(import(admin, "plain&labels=no%20way!", "phone\n15550100\n"), "labels", "a label is 1 to 32");
    bad("phone,name\n15550100,Ana,extra\n", "file", "line 2: the line has 3 fields where the first line names 2");
    bad("phone,name\n15550100,\"Ana\n", "file", "line 2: a quoted field has no closing quote");
    bad("phone,Nick name!\n15550100,x\n", "file", "the column \"Nick name!\" is no name for a detail");
    bad("phone,plan,Plan\n15550100,a,b\n", "file", "the column plan is there twice");
    bad("phone,channel\n15550100,plain\n15550101,sms\n", "channel", "line 3: \"sms\" is no channel: plain or whatsapp");
    bad("phone,channel\n15550100,WhatsApp\n", "channel", "line 2: a WhatsApp contact needs the server's --wa-phone-number-id");
    bad("phone,name\n15550100," + std::string(65, 'x') + "\n", "name", "at most 64 characters");
    bad("phone,plan\n15550100," + std::string(257, 'x') + "\n", "plan", "the detail plan is a text of at most 256");
    std::string too_many = "phone\n";
    for (int i = 0; i <= 10'000; ++i) too_many += std::to_string(15560000000LL + i) + "\n";
    bad(too_many, "file", "10000 contacts at most, and this one 10001");
    // A line that would leave a conversation there over its labels: nothing of the file is imported.
    bad("phone,labels\n15550100,vip\n15550001,\"x,y\"\n", "labels", "line 3: +15550001 would have 11 labels");
    refused_naming(import(admin, "sms", "phone\n15550100\n"), "channel", "whatsapp or plain");
    refused(import(admin, "whatsapp", "phone\n15550100\n"), 409, "not_configured", "--wa-phone-number-id");
    refused(import(lea, "plain", "phone\n15550100\n"), 403, "forbidden", "admin");
    refused(http_request(p, "POST", "/contacts/import?channel=plain", "phone\n15550100\n"), 401, "unauthorized", "log in");

    refused(admin.call("GET", "/conversations/15550100"), 404, "not_found", "15550100");
    BOOST_TEST(admin.json("GET", "/conversations/15550001").at("labels").as_array().size() == 9u);
    auto audit = admin.json("GET", "/audit-log");
    for (auto& e : audit.at("entries").as_array()) BOOST_TEST(e.at("action").as_string() != "contacts.imported");
    BOOST_TEST(json::serialize(admin.json("GET", "/me").at("import_channels")) == R"(["plain"])");
}

// A file of users on both channels, as the export writes it, reads back
// into another server as it was: each line's channel column says its own
// (any case), and channel= is for the lines whose cell is empty.
BOOST_AUTO_TEST_CASE(a_file_of_both_channels_reads_back_into_another_server_as_it_was) {
    const std::vector<std::string> whatsapp{"--wa-phone-number-id", "555000111"};
    std::string file;
    {
        server_process server(whatsapp);
        auto p = server.port();
        auto admin = admin_client(server);
        user_says(p, "15550301", "hi", "Ana");
        whatsapp_user_says(p, "15550302", "wamid.in-302", "hi");
        imported(admin, "whatsapp", "phone,name\n15550303,Cy\n");
        file = admin.call("GET", "/contacts/export").body;
        BOOST_TEST(file.find("\r\n15550301,Ana,,plain\r\n") != std::string::npos, file);
        BOOST_TEST(file.find("\r\n15550303,Cy,,whatsapp\r\n") != std::string::npos, file);
    }
    server_process server(whatsapp);
    auto admin = admin_client(server);
    BOOST_TEST(counts_of(imported(admin, "plain", file)) == "3 created, 0 updated, 0 unchanged");
    auto channel_of = [&](const std::string& phone) {
        return std::string(admin.json("GET", "/conversations/" + phone).at("channel").as_string());
    };
    BOOST_TEST(channel_of("15550301") == "plain");
    BOOST_TEST(channel_of("15550302") == "whatsapp");
    BOOST_TEST(channel_of("15550303") == "whatsapp");
    imported(admin, "whatsapp", "phone,channel\n15550304,\n15550305,Plain\n");
    BOOST_TEST(channel_of("15550304") == "whatsapp");  // the import's
    BOOST_TEST(channel_of("15550305") == "plain");
    // A user known already keeps their channel, whatever the file says.
    BOOST_TEST(counts_of(imported(admin, "plain", "phone,channel\n15550302,plain\n")) ==
               "0 created, 0 updated, 1 unchanged");
    BOOST_TEST(channel_of("15550302") == "whatsapp");
}

BOOST_AUTO_TEST_SUITE_END()
