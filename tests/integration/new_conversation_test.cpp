// POST /conversations against the real server: an agent opens a
// conversation with a user who has not written, on the plain webhook (a
// text to --outbound-url) and on WhatsApp (an approved template through a
// local stand-in for the Graph API), and the user's answer comes to their chat.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "refusals.hpp"
#include "server_process.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::test;
namespace json = boost::json;

namespace {

std::vector<std::string> channels_offered(const api_client& agent) {
    std::vector<std::string> out;
    auto me = agent.json("GET", "/me");
    for (auto& c : me.at("new_conversation_channels").as_array()) out.emplace_back(c.as_string());
    return out;
}

std::size_t conversations_listed(const api_client& agent) {
    return agent.json("GET", "/conversations").at("conversations").as_array().size();
}

// Meta's list of approved templates, one page.
const char* template_list = R"({"data":[
    {"name":"order_update","language":"en_US","status":"APPROVED","category":"UTILITY",
     "components":[{"type":"BODY","text":"Hi {{1}}, order {{2}} ships today."}]}]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(new_conversation)

BOOST_AUTO_TEST_CASE(an_agent_writes_first_to_a_plain_webhook_user_and_their_answer_comes_to_the_chat) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    ws_client ws(p, "/ws?token=" + admin.token);
    ws.next_of_type("hello");
    BOOST_TEST(channels_offered(admin) == std::vector<std::string>{"plain"}, boost::test_tools::per_element());

    auto opened = admin.json("POST", "/conversations",
                             R"({"phone":"+15558801","channel":"plain","name":" Ana ","text":"Your order shipped",)"
                             R"("client_id":"n-1","labels":["Shipping","vip"],"attributes":{"Order ID":" A-77 "}})",
                             201);
    auto& c = opened.at("conversation");
    BOOST_TEST(c.at("phone").as_string() == "15558801");
    BOOST_TEST(c.at("name").as_string() == "Ana");
    BOOST_TEST(c.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(c.at("assignee").as_string() == "admin");
    BOOST_TEST(c.at("queue_position").is_null());
    BOOST_TEST(json::serialize(c.at("labels")) == R"(["shipping","vip"])");  // as PUT …/labels keeps them
    BOOST_TEST(json::serialize(c.at("attributes")) == R"({"order_id":"A-77"})");
    auto& m = opened.at("message");
    BOOST_TEST(m.at("seq").as_int64() == 1);
    BOOST_TEST(m.at("sender").as_string() == "admin");
    BOOST_TEST(m.at("text").as_string() == "Your order shipped");
    BOOST_TEST(m.at("client_id").as_string() == "n-1");
    auto sent = json::parse(outbound.wait_for(1)[0].body);
    BOOST_TEST(sent.at("to").as_string() == "15558801");
    BOOST_TEST(sent.at("text").as_string() == "Your order shipped");
    BOOST_TEST(sent.at("id").as_string() == m.at("id").as_string());

    // Every console learns of it as of any chat an agent starts.
    std::vector<std::string> types;
    while (types.size() < 4) {
        auto type = std::string(ws.next().at("type").as_string());
        if (type != "agent.presence") types.push_back(std::move(type));  // the admin's own socket
    }
    std::vector<std::string> expected{"chat.started", "chat.assigned", "message.created", "conversation.updated"};
    BOOST_TEST(types == expected, boost::test_tools::per_element());
    auto mine = admin.json("GET", "/conversations?filter=mine").at("conversations").as_array();
    BOOST_TEST_REQUIRE(mine.size() == 1u);
    BOOST_TEST(mine[0].at("phone").as_string() == "15558801");

    // The user answers: in the chat, to the agent, never a command to the bot.
    auto answer = user_says(p, "15558801", "menu");
    BOOST_TEST(answer.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    auto held = admin.json("GET", "/conversations/15558801");
    BOOST_TEST(held.at("unread").as_int64() == 1);
    BOOST_TEST(held.at("messages").as_array()[1].at("text").as_string() == "menu");
    BOOST_TEST(held.at("messages").as_array()[1].at("sender").as_string() == "user");
    admin.json("POST", "/conversations/15558801/chat-support/send", R"({"text":"Anything else?"})", 201);
    outbound.wait_for_text("15558801", "Anything else?");

    // Once there is a conversation, it is opened rather than made again.
    refused(admin.call("POST", "/conversations", R"({"phone":"15558801","channel":"plain","text":"Hi"})"), 409,
            "conversation_exists", "15558801 has a conversation already");
    user_says(p, "15558802", "hi");
    refused(admin.call("POST", "/conversations", R"({"phone":"15558802","channel":"plain","text":"Hi"})"), 409,
            "conversation_exists", "open it");
    BOOST_TEST(admin.json("GET", "/conversations/15558802").at("state").as_string() == "IDLE");
    BOOST_TEST(outbound.requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_request_that_does_not_open_a_conversation_changes_nothing) {
    receiver outbound;
    server_process server({"--outbound-url", outbound.url()});
    auto p = server.port();
    auto admin = admin_client(server);
    auto open = [&](const std::string& body) { return admin.call("POST", "/conversations", body); };

    refused_naming(open(R"({"channel":"plain","text":"Hi"})"), "phone", "phone is required");
    refused_naming(open(R"({"phone":"555-0100","channel":"plain","text":"Hi"})"), "phone", "1 to 32 digits");
    refused_naming(open(R"({"phone":15550100,"channel":"plain","text":"Hi"})"), "phone", "must be a string");
    refused_naming(open(R"({"phone":"15550100","text":"Hi"})"), "channel", "channel is required");
    refused_naming(open(R"({"phone":"15550100","channel":"sms","text":"Hi"})"), "channel", "whatsapp or plain");
    refused_naming(open(R"({"phone":"15550100","channel":"plain"})"), "text", "text is required");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":""})"), "text", "1 to 4096 characters");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":")" + std::string(4097, 'a') + "\"}"), "text",
                  "1 to 4096 characters");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":"Hi","name":")" + std::string(65, 'a') + "\"}"),
                  "name", "0 to 64 characters");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":"Hi","template":{"name":"x"}})"), "template",
                  "templates are WhatsApp's");
    refused_naming(open(R"({"phone":"15550100","channel":"whatsapp","text":"Hi"})"), "text", "sent a template");
    refused_naming(open("[1]"), "body", "JSON object");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":"Hi","labels":"vip"})"), "labels",
                   "labels must be an array");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":"Hi","labels":["no way!"]})"), "labels",
                   "a label is 1 to 32 characters");
    refused_naming(open(R"({"phone":"15550100","channel":"plain","text":"Hi","attributes":{"email":""}})"), "attributes",
                   "the attribute email must be a text");
    refused(open(R"({"phone":"15550100","channel":"whatsapp","template":{"name":"x","language":"en"}})"), 409,
            "not_configured", "--wa-phone-number-id");
    refused(http_request(p, "POST", "/conversations", R"({"phone":"15550100","channel":"plain","text":"Hi"})"), 401,
            "unauthorized", "log in");

    BOOST_TEST(conversations_listed(admin) == 0u);
    BOOST_TEST(read_metric(p, "switchboard_conversations") == 0);
    BOOST_TEST(read_metric(p, "switchboard_chats_opened_total") == 0);
    BOOST_TEST(outbound.requests().empty());

    // Without --outbound-url a plain-webhook user cannot be reached: no channel is offered.
    server_process unreachable;
    auto unreachable_admin = admin_client(unreachable);
    BOOST_TEST(channels_offered(unreachable_admin).empty());
    refused(unreachable_admin.call("POST", "/conversations", R"({"phone":"15550100","channel":"plain","text":"Hi"})"),
            409, "not_configured", "--outbound-url");
    BOOST_TEST(conversations_listed(unreachable_admin) == 0u);
}

BOOST_AUTO_TEST_CASE(an_agent_opens_a_whatsapp_conversation_with_an_approved_template) {
    receiver graph;
    server_process server({"--wa-api-base", graph.url() + "/v99.0", "--wa-token", "tok-123",
                           "--wa-business-account-id", "waba-77", "--wa-phone-number-id", "106540352242922"});
    auto p = server.port();
    auto admin = admin_client(server);
    BOOST_TEST(channels_offered(admin) == std::vector<std::string>{"whatsapp"}, boost::test_tools::per_element());
    graph.script({{200, template_list, {}}});
    auto open = [&](const std::string& body) { return admin.call("POST", "/conversations", body); };

    // Refused before anything is sent, each naming its field inside "template".
    refused_naming(open(R"({"phone":"15557601","channel":"whatsapp"})"), "template", "template is required");
    refused_naming(open(R"({"phone":"15557601","channel":"whatsapp","template":"order_update"})"), "template",
                  "template is required");
    refused_naming(open(R"({"phone":"15557601","channel":"whatsapp","template":{"language":"en_US"}})"),
                  "template.name", "name is required");
    refused_naming(open(R"({"phone":"15557601","channel":"whatsapp","template":{"name":"order_update","language":"de"}})"),
                  "template.name", "no approved template order_update in de");
    refused_naming(open(R"({"phone":"15557601","channel":"whatsapp",)"
                       R"("template":{"name":"order_update","language":"en_US","parameters":["Sam"]}})"),
                  "template.parameters", "takes 2 values, and 1 was given");
    BOOST_TEST(conversations_listed(admin) == 0u);
    BOOST_TEST(graph.requests().size() == 1u);  // the list, read once

    auto opened = admin.json("POST", "/conversations",
                             R"({"phone":"15557601","channel":"whatsapp","name":"Samuel",)"
                             R"("template":{"name":"order_update","language":"en_US","parameters":["Sam","A-1"]}})",
                             201);
    BOOST_TEST(opened.at("conversation").at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(opened.at("conversation").at("assignee").as_string() == "admin");
    BOOST_TEST(opened.at("message").at("type").as_string() == "template");
    BOOST_TEST(opened.at("message").at("text").as_string() == "Hi Sam, order A-1 ships today.");
    auto out = graph.wait_for(2)[1];
    BOOST_TEST(out.method == "POST");
    BOOST_TEST(out.target == "/v99.0/106540352242922/messages");  // from --wa-phone-number-id
    auto body = json::parse(out.body);
    BOOST_TEST(body.at("to").as_string() == "15557601");
    BOOST_TEST(body.at("type").as_string() == "template");
    BOOST_TEST(body.at("template").at("name").as_string() == "order_update");

    // The user answers from WhatsApp: in the agent's chat, who may now write freely.
    whatsapp_user_says(p, "15557601", "wamid.in-1", "Thanks!");
    auto held = admin.json("GET", "/conversations/15557601");
    BOOST_TEST(held.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(held.at("name").as_string() == "Samuel");  // as the agent named them, not their profile
    BOOST_TEST(held.at("unread").as_int64() == 1);
    BOOST_TEST_REQUIRE(held.at("messages").as_array().size() == 3u);  // the template, Thanks! and the bot's receipt
    BOOST_TEST(held.at("messages").as_array()[1].at("text").as_string() == "Thanks!");
    BOOST_TEST(!held.at("last_user_message_at").is_null());
    graph.wait_for(3);  // the receipt
    admin.json("POST", "/conversations/15557601/chat-support/send", R"({"text":"Glad to help"})", 201);
    auto reply = json::parse(graph.wait_for(4)[3].body);
    BOOST_TEST(reply.at("type").as_string() == "text");
    BOOST_TEST(reply.at("text").at("body").as_string() == "Glad to help");

    refused(open(R"({"phone":"15557601","channel":"whatsapp","template":{"name":"order_update","language":"en_US",)"
                 R"("parameters":["Sam","A-2"]}})"),
            409, "conversation_exists", "15557601 has a conversation already");
    // Said before anything of the template is looked at.
    refused(open(R"({"phone":"15557601","channel":"whatsapp","template":{"name":"nope","language":"en_US"}})"), 409,
            "conversation_exists", "open it");
    BOOST_TEST(graph.requests().size() == 4u);

    // Ended before the user answered: WhatsApp would refuse them the bot's
    // texts (they never wrote), so the agents read them in a note instead.
    admin.json("POST", "/conversations",
               R"({"phone":"15557602","channel":"whatsapp",)"
               R"("template":{"name":"order_update","language":"en_US","parameters":["Kim","A-3"]}})",
               201);
    graph.wait_for(5);
    admin.json("POST", "/conversations/15557602/chat-support/end");
    auto ended = admin.json("GET", "/conversations/15557602");
    BOOST_TEST(ended.at("state").as_string() == "RATING");
    auto last = ended.at("messages").as_array().back();
    BOOST_TEST(last.at("type").as_string() == "system");
    BOOST_TEST(std::string(last.at("text").as_string()).starts_with("Not sent to the user, as WhatsApp's 24-hour window"));
    // The user's answer then: the chat is over, and the bot answers it.
    whatsapp_user_says(p, "15557602", "wamid.in-2", "hi");
    BOOST_TEST(json::parse(graph.wait_for(6)[5].body).at("type").as_string() == "text");  // the menu
    BOOST_TEST(graph.requests().size() == 6u);
}

BOOST_AUTO_TEST_SUITE_END()
