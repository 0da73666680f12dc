// /webhook/whatsapp against the real server with Meta's sample payloads, and
// the outbox delivering to a local stand-in for the Graph API.
#include "api_session.hpp"
#include "http_client.hpp"
#include "metrics_probe.hpp"
#include "receiver.hpp"
#include "server_process.hpp"
#include "sqlite_probe.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using namespace switchboard::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr auto secret = "test-app-secret";

std::string sample(const std::string& name) {
    std::ifstream in(std::string(SWITCHBOARD_TEST_DATA) + "/whatsapp/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Meta's signature of text.json under `secret`, as shipped with the samples.
std::string text_json_signature() {
    auto sig = sample("text.json.sig");
    while (!sig.empty() && (sig.back() == '\n' || sig.back() == '\r')) sig.pop_back();
    return sig;
}

// A server wired to a local Graph API stand-in.
struct wa_server {
    receiver graph;
    server_process server;
    explicit wa_server(std::vector<std::string> extra = {})
        : server([&] {
              std::vector<std::string> args{"--wa-api-base", graph.url() + "/v99.0", "--wa-token", "tok-123",
                                            "--wa-verify-token", "verify-me"};
              args.insert(args.end(), extra.begin(), extra.end());
              return args;
          }()) {}
    http_result post(const std::string& body, header_list headers = {}) {
        return http_request(server.port(), "POST", "/webhook/whatsapp", body, headers);
    }
    double metric(const std::string& series) { return read_metric(server.port(), series); }
};

// Meta's envelope around one change value.
std::string payload_with(json::object value) {
    value["messaging_product"] = "whatsapp";
    json::value v = {{"object", "whatsapp_business_account"},
                     {"entry", {{{"id", "1"}, {"changes", {{{"field", "messages"}, {"value", std::move(value)}}}}}}}};
    return json::serialize(v);
}

std::string text_payload(const std::string& from, const std::string& id, const std::string& text) {
    return payload_with(
        {{"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", "106540352242922"}}},
         {"contacts", {{{"profile", {{"name", "Sam"}}}, {"wa_id", from}}}},
         {"messages",
          {{{"from", from}, {"id", id}, {"timestamp", "1763900000"}, {"type", "text"}, {"text", {{"body", text}}}}}}});
}

std::string status_payload(const std::string& recipient, const std::string& wamid, const std::string& status) {
    return payload_with(
        {{"statuses",
          {{{"id", wamid}, {"status", status}, {"timestamp", "1763900160"}, {"recipient_id", recipient}}}}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(whatsapp_webhook)

BOOST_AUTO_TEST_CASE(verification_handshake) {
    wa_server wa;
    auto p = wa.server.port();
    auto ok = http_request(p, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444");
    BOOST_TEST(ok.status == 200u);
    BOOST_TEST(ok.body == "1158201444");
    BOOST_TEST(ok.header("content-type").starts_with("text/plain"));
    BOOST_TEST(http_request(p, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1").status == 403u);
    BOOST_TEST(http_request(p, "GET", "/webhook/whatsapp?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1").status == 403u);
    BOOST_TEST(http_request(p, "GET", "/webhook/whatsapp").status == 403u);
}

BOOST_AUTO_TEST_CASE(no_verify_token_configured_refuses_every_handshake) {
    server_process server;
    BOOST_TEST(http_request(server.port(), "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1").status == 403u);
}

BOOST_AUTO_TEST_CASE(signed_message_is_taken_and_answered_through_the_graph_api) {
    wa_server wa({"--wa-app-secret", secret});
    auto body = sample("text.json");  // "support" from Sheena Nelson
    auto res = wa.post(body, {{"X-Hub-Signature-256", text_json_signature()}});
    BOOST_TEST(res.status == 200u);

    auto sent = wa.graph.wait_for(1);
    BOOST_TEST(sent[0].method == "POST");
    BOOST_TEST(sent[0].target == "/v99.0/106540352242922/messages");
    BOOST_TEST(sent[0].authorization == "Bearer tok-123");
    auto out = json::parse(sent[0].body);
    BOOST_TEST(out.at("messaging_product").as_string() == "whatsapp");
    BOOST_TEST(out.at("to").as_string() == "16505551234");
    BOOST_TEST(out.at("type").as_string() == "text");
    BOOST_TEST(std::string(out.at("text").at("body").as_string()).find("queue") != std::string::npos);
    BOOST_TEST(wa.metric("switchboard_chats_opened_total") == 1);
}

BOOST_AUTO_TEST_CASE(bad_or_missing_signature_is_401_and_changes_nothing) {
    wa_server wa({"--wa-app-secret", secret});
    auto body = sample("text.json");
    BOOST_TEST(wa.post(body).status == 401u);
    BOOST_TEST(wa.post(body, {{"X-Hub-Signature-256", "sha256=" + std::string(64, '0')}}).status == 401u);
    BOOST_TEST(wa.post(body + "\n", {{"X-Hub-Signature-256", text_json_signature()}}).status == 401u);
    auto res = wa.post(body, {{"X-Hub-Signature-256", "garbage"}});
    BOOST_TEST(res.status == 401u);
    BOOST_TEST(res.body.find(R"("code":"bad_signature")") != std::string::npos);
    BOOST_TEST(wa.metric("switchboard_messages_received_total") == 0);
    BOOST_TEST(wa.metric(R"(switchboard_rejections_total{reason="bad_signature"})") == 4);
    BOOST_TEST(wa.graph.requests().empty());
}

BOOST_AUTO_TEST_CASE(malformed_payload_is_400_naming_the_field) {
    wa_server wa;
    auto res = wa.post(R"({"entry":[{"changes":[{"value":{"messages":[{"id":"w1","type":"text"}]}}]}]})");
    BOOST_TEST(res.status == 400u);
    BOOST_TEST(json::parse(res.body).at("error").at("field").as_string() == "entry[0].changes[0].value.messages[0].from");
    BOOST_TEST(wa.post("not json").status == 400u);
    BOOST_TEST(wa.metric("switchboard_messages_received_total") == 0);
}

BOOST_AUTO_TEST_CASE(a_batch_is_processed_whole_and_in_order) {
    wa_server wa;
    BOOST_TEST(wa.post(sample("text-batch.json")).status == 200u);
    BOOST_TEST(wa.metric("switchboard_messages_received_total") == 3);
    BOOST_TEST(wa.metric("switchboard_conversations") == 2);
    auto sent = wa.graph.wait_for(3);  // a menu for each message
    std::vector<std::string> to;
    for (auto& r : sent) to.push_back(std::string(json::parse(r.body).at("to").as_string()));
    BOOST_TEST(std::count(to.begin(), to.end(), "16505551234") == 2);
    BOOST_TEST(std::count(to.begin(), to.end(), "447700900123") == 1);
}

BOOST_AUTO_TEST_CASE(metas_retries_are_deduplicated) {
    wa_server wa;
    BOOST_TEST(wa.post(sample("text.json")).status == 200u);
    BOOST_TEST(wa.post(sample("text.json")).status == 200u);
    BOOST_TEST(wa.metric("switchboard_messages_received_total") == 1);
    BOOST_TEST(wa.metric("switchboard_messages_duplicate_total") == 1);
    BOOST_TEST(wa.metric("switchboard_chats_opened_total") == 1);
}

BOOST_AUTO_TEST_CASE(interactive_replies_and_media_reach_the_bot) {
    wa_server wa;
    BOOST_TEST(wa.post(sample("interactive-list.json")).status == 200u);  // "register"
    BOOST_TEST(wa.post(sample("interactive-button.json")).status == 200u);  // "support"
    BOOST_TEST(wa.metric("switchboard_chats_opened_total") == 1);
    BOOST_TEST(wa.post(sample("image.json")).status == 200u);     // in the chat now: for the agents
    BOOST_TEST(wa.post(sample("location.json")).status == 200u);
    BOOST_TEST(wa.metric("switchboard_messages_received_total") == 4);
    auto sent = wa.graph.wait_for(4);
    BOOST_TEST(std::string(json::parse(sent[3].body).at("text").at("body").as_string()).find("sent to support") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(statuses_move_forward_only) {
    wa_server wa;
    BOOST_TEST(wa.post(text_payload("15551234", "wamid.in-1", "hi")).status == 200u);
    wa.graph.wait_for(1);  // the menu, which the stand-in accepts as wamid.default
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", 1);

    BOOST_TEST(wa.post(status_payload("15551234", "wamid.default", "delivered")).status == 200u);
    BOOST_TEST(wa.post(status_payload("15551234", "wamid.default", "read")).status == 200u);
    BOOST_TEST(wa.post(status_payload("15551234", "wamid.default", "sent")).status == 200u);       // late
    BOOST_TEST(wa.post(status_payload("15551234", "wamid.default", "delivered")).status == 200u);  // late
    BOOST_TEST(wa.post(status_payload("15551234", "wamid.unknown", "read")).status == 200u);
    BOOST_TEST(wa.metric(R"(switchboard_message_statuses_total{outcome="applied"})") == 2);
    BOOST_TEST(wa.metric(R"(switchboard_message_statuses_total{outcome="ignored"})") == 3);
}

BOOST_AUTO_TEST_CASE(sample_statuses_are_answered_200) {
    wa_server wa;
    for (auto f : {"status-sent.json", "status-read.json", "status-failed.json"}) {
        BOOST_TEST_INFO(f);
        BOOST_TEST(wa.post(sample(f)).status == 200u);
    }
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_soon_with_the_same_message) {
    wa_server wa;
    wa.graph.script({{500, "oops", {}}, {503, "busy", {}}, {200, R"({"messages":[{"id":"wamid.ok"}]})", {}}});
    BOOST_TEST(wa.post(text_payload("15551234", "wamid.in-1", "hi")).status == 200u);
    auto sent = wa.graph.wait_for(3);
    BOOST_TEST(sent[0].body == sent[1].body);
    BOOST_TEST(sent[1].body == sent[2].body);
    BOOST_TEST((sent[1].at - sent[0].at < 1000ms));  // the first retry comes within 1 s
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", 1);
    BOOST_TEST(wa.metric("switchboard_outbox_retries_total") == 2);
    BOOST_TEST(wa.metric("switchboard_outbox_failed_total") == 0);
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_on_429) {
    wa_server wa;
    wa.graph.script({{429, "slow down", "1"}, {200, R"({"messages":[{"id":"wamid.ok"}]})", {}}});
    BOOST_TEST(wa.post(text_payload("15551234", "wamid.in-1", "hi")).status == 200u);
    auto sent = wa.graph.wait_for(2);
    BOOST_TEST((sent[1].at - sent[0].at >= 1000ms));
}

// Meta says it is sending too much with a 400 and a code (its throughput
// for the number, 130429; for one user, 131056): the message goes again
// later, as on a 429, rather than failing as a message Meta refused.
BOOST_AUTO_TEST_CASE(metas_throttling_is_retried_as_a_request_to_slow_down) {
    wa_server wa;
    wa.graph.script({{400, R"({"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}})", {}},
                     {400, R"({"error":{"message":"(#131056) Pair rate limit hit","code":131056}})", {}},
                     {200, R"({"messages":[{"id":"wamid.ok"}]})", {}}});
    BOOST_TEST(wa.post(text_payload("15551234", "wamid.in-1", "hi")).status == 200u);
    auto sent = wa.graph.wait_for(3);
    BOOST_TEST(sent[0].body == sent[2].body);
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", 1);
    BOOST_TEST(wa.metric("switchboard_outbox_retries_total") == 2);
    BOOST_TEST(wa.metric("switchboard_outbox_failed_total") == 0);
}

BOOST_AUTO_TEST_CASE(a_client_error_fails_the_message_without_retrying) {
    wa_server wa;
    wa.graph.script({{400, R"({"error":{"message":"bad"}})", {}}});
    BOOST_TEST(wa.post(text_payload("15551234", "wamid.in-1", "hi")).status == 200u);
    wait_for_metric(wa.server.port(), "switchboard_outbox_failed_total", 1);
    // Per conversation in order: had the first been retried, the retry would come next.
    BOOST_TEST(wa.post(text_payload("15551234", "wamid.in-2", "hi again")).status == 200u);
    wa.graph.wait_for(2);
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", 1);
    BOOST_TEST(wa.graph.requests().size() == 2u);
    BOOST_TEST(wa.metric("switchboard_outbox_retries_total") == 0);
}

// An agent sees why a message failed: Meta's reason from the send API's
// refusal, or from a `failed` status (the sample), in the message's event
// and in its history, not only in the server's log.
BOOST_AUTO_TEST_CASE(a_failed_message_says_why) {
    const std::string user = "16505551234", wamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBIzRkU5MDAwMAA=";
    wa_server wa;
    wa.graph.script({{400, R"({"error":{"message":"(#131026) Message undeliverable","type":"OAuthException",
                                "code":131026,"error_data":{"details":"Unable to deliver the message."}}})", {}},
                     {200, R"({"messages":[{"id":")" + wamid + R"("}]})", {}}});
    auto admin = admin_client(wa.server);
    ws_client ws(wa.server.port(), "/ws?token=" + admin.token);
    ws.next_of_type("hello");

    BOOST_TEST(wa.post(text_payload(user, "wamid.in-1", "hi")).status == 200u);
    auto refused = ws.next_of_type("message.status").at("data").as_object();
    BOOST_TEST(refused.at("seq").as_int64() == 2);  // the bot's menu
    BOOST_TEST(refused.at("status").as_string() == "failed");
    const std::string refusal = "HTTP 400: (#131026) Message undeliverable: Unable to deliver the message.";
    BOOST_TEST(refused.at("error").as_string() == refusal);

    BOOST_TEST(wa.post(text_payload(user, "wamid.in-2", "hello")).status == 200u);
    auto sent = ws.next_of_type("message.status").at("data").as_object();
    BOOST_TEST(sent.at("status").as_string() == "sent");
    BOOST_TEST(!sent.contains("error"));
    BOOST_TEST(wa.post(sample("status-failed.json")).status == 200u);  // Meta's, for that wamid
    auto failed = ws.next_of_type("message.status").at("data").as_object();
    BOOST_TEST(failed.at("seq").as_int64() == 4);
    BOOST_TEST(failed.at("status").as_string() == "failed");
    const std::string window = "(#131047) Re-engagement message: Message failed to send because more than 24 hours "
                               "have passed since the customer last replied to this number.";
    BOOST_TEST(failed.at("error").as_string() == window);

    auto conversation = admin.json("GET", "/conversations/" + user);
    auto messages = conversation.at("messages").as_array();
    BOOST_REQUIRE(messages.size() == 4u);
    BOOST_TEST(!messages[0].as_object().contains("error"));  // the user's own
    BOOST_TEST(messages[1].at("error").as_string() == refusal);
    BOOST_TEST(messages[3].at("error").as_string() == window);

    // Counted on the conversation, for every list, until an agent reads it.
    BOOST_TEST(conversation.at("undelivered").as_int64() == 2);
    BOOST_TEST(ws.next_of_type("conversation.updated").at("data").at("undelivered").as_int64() == 2);
    auto read = admin.json("POST", "/conversations/" + user + "/read", R"({"up_to":4})");
    BOOST_TEST(read.at("undelivered").as_int64() == 0);
    BOOST_TEST(ws.next_of_type("conversation.updated").at("data").at("undelivered").as_int64() == 0);
}

// A photo the user sent: the agent's browser gets the file through the
// server, which asks the Graph API for its URL and fetches it, both with
// the access token. What the user sent is served from the console's origin,
// so its answer is sandboxed.
BOOST_AUTO_TEST_CASE(an_agent_opens_the_file_a_user_sent) {
    const std::string user = "16505551234";
    const std::string media = "/conversations/" + user + "/messages/1/media";
    wa_server wa;
    auto admin = admin_client(wa.server);
    BOOST_TEST(wa.post(sample("image.json")).status == 200u);
    wa.graph.wait_for(1);  // the bot's menu, sent

    auto first = admin.json("GET", "/conversations/" + user).at("messages").at(0);
    BOOST_TEST(first.at("type").as_string() == "image");
    BOOST_TEST(first.at("attachment").at("mime_type").as_string() == "image/jpeg");
    BOOST_TEST(first.at("attachment").at("url").as_string() == media);

    const std::string bytes("\xff\xd8\xff\xe0\0\x10JFIF\0\x01 not text\r\n", 21);
    wa.graph.script({{200, R"({"url":")" + wa.graph.url() + R"(/lookaside/file?mid=1479537139650973&ext=1",
                       "mime_type":"image/jpeg","file_size":21,"id":"1479537139650973"})", {}},
                     {200, bytes, {}}});
    auto got = admin.call("GET", media);
    BOOST_TEST(got.status == 200u);
    BOOST_TEST(got.body == bytes);
    BOOST_TEST(got.header("content-type") == "image/jpeg");
    BOOST_TEST(got.header("content-disposition") == "inline");
    BOOST_TEST(got.header("x-content-type-options") == "nosniff");
    BOOST_TEST(got.header("content-security-policy").find("sandbox") != std::string::npos);
    BOOST_TEST(got.header("cache-control").starts_with("private"));
    auto asked = wa.graph.wait_for(3);
    BOOST_TEST(asked[1].method == "GET");
    BOOST_TEST(asked[1].target == "/v99.0/1479537139650973");
    BOOST_TEST(asked[1].authorization == "Bearer tok-123");
    BOOST_TEST(asked[2].method == "GET");
    BOOST_TEST(asked[2].target == "/lookaside/file?mid=1479537139650973&ext=1");
    BOOST_TEST(got.header("accept-ranges") == "bytes");

    // A player asks again a range at a time: answered from memory, not
    // from WhatsApp again.
    auto ranged = [&](const std::string& range) {
        return http_request(wa.server.port(), "GET", media, "", {{"Authorization", "Bearer " + admin.token},
                                                                 {"Range", range}});
    };
    auto part = ranged("bytes=2-5");
    BOOST_TEST(part.status == 206u);
    BOOST_TEST(part.body == bytes.substr(2, 4));
    BOOST_TEST(part.header("content-range") == "bytes 2-5/21");
    BOOST_TEST(ranged("bytes=-3").body == bytes.substr(18));
    BOOST_TEST(ranged("bytes=19-").header("content-range") == "bytes 19-20/21");
    BOOST_TEST(ranged("bytes=15-99").header("content-range") == "bytes 15-20/21");
    auto past = ranged("bytes=21-");
    BOOST_TEST(past.status == 416u);
    BOOST_TEST(past.header("content-range") == "bytes */21");
    auto two = ranged("bytes=0-1,4-5");  // several ranges: the whole file
    BOOST_TEST(two.status == 200u);
    BOOST_TEST(two.body == bytes);
    BOOST_TEST(wa.graph.requests().size() == 3u);
    BOOST_TEST(wa.metric("switchboard_media_cache_hits_total") == 6);

    // Another photo that WhatsApp no longer has: Meta's refusal, in words.
    auto second = sample("image.json");
    second.replace(second.find("wamid.HBgL"), 10, "wamid.2BgL");
    second.replace(second.find("1479537139650973"), 16, "1479537139650974");
    BOOST_TEST(wa.post(second).status == 200u);
    wa.graph.wait_for(4);  // the bot's menu again
    wa.graph.script({{400, R"({"error":{"message":"Unsupported get request.","type":"GraphMethodException",
                                "code":100}})", {}}});
    auto refused = admin.call("GET", "/conversations/" + user + "/messages/3/media");
    BOOST_TEST(refused.status == 502u);
    auto error = json::parse(refused.body).at("error");
    BOOST_TEST(error.at("code").as_string() == "media_unavailable");
    BOOST_TEST(std::string(error.at("message").as_string()).find("(#100) Unsupported get request.") !=
               std::string::npos);
    BOOST_TEST(wa.graph.wait_for(5).back().target == "/v99.0/1479537139650974");
    BOOST_TEST(wa.metric(R"(switchboard_media_fetches_total{outcome="ok"})") == 1);
    BOOST_TEST(wa.metric(R"(switchboard_media_fetches_total{outcome="failed"})") == 1);
    BOOST_TEST(wa.metric("switchboard_media_bytes_total") == 21);

    // A message without a file, one that is not there, and no session.
    BOOST_TEST(admin.call("GET", "/conversations/" + user + "/messages/2/media").status == 404u);
    BOOST_TEST(admin.call("GET", "/conversations/" + user + "/messages/99/media").status == 404u);
    BOOST_TEST(admin.call("GET", "/conversations/15550000/messages/1/media").status == 404u);
    BOOST_TEST(admin.call("GET", "/conversations/" + user + "/messages/x/media").status == 400u);
    BOOST_TEST(http_request(wa.server.port(), "GET", media).status == 401u);
    BOOST_TEST(wa.graph.requests().size() == 5u);
}

// A file over --max-media is not fetched when Meta gives its size, nor kept
// whole when it does not; a document that is not a picture is a download.
BOOST_AUTO_TEST_CASE(a_file_over_the_limit_is_not_passed_on) {
    const std::string user = "16505551234";
    wa_server wa({"--max-media", "64"});
    auto admin = admin_client(wa.server);
    auto document = sample("image.json");
    document.replace(document.find("\"type\": \"image\""), 15, "\"type\": \"document\"");
    document.replace(document.find("\"image\": {"), 10, R"("document": {"filename": "Rechnung März.html",)");
    document.replace(document.find("image/jpeg"), 10, "text/html");
    BOOST_TEST(wa.post(document).status == 200u);
    wa.graph.wait_for(1);
    const std::string media = "/conversations/" + user + "/messages/1/media";
    auto info = [&](const std::string& size) {
        return scripted_answer{200, R"({"url":")" + wa.graph.url() + R"(/file","mime_type":"text/html")" + size + "}", {}};
    };

    wa.graph.script({info(R"(,"file_size":"65")")});
    auto sized = admin.call("GET", media);
    BOOST_TEST(sized.status == 502u);
    BOOST_TEST(sized.body.find("the file is 65 bytes, over the 64 bytes this server passes on (--max-media)") !=
               std::string::npos);
    BOOST_TEST(wa.graph.wait_for(2).size() == 2u);  // the file itself was not asked for

    wa.graph.script({info(""), {200, std::string(65, 'x'), {}}});
    auto unsized = admin.call("GET", media);
    BOOST_TEST(unsized.status == 502u);
    BOOST_TEST(unsized.body.find("--max-media") != std::string::npos);
    BOOST_TEST(wa.graph.requests().size() == 4u);  // the file asked for once, not again on a new connection

    const std::string page = "<script>alert(1)</script>";
    wa.graph.script({info(""), {200, page, {}}});
    auto small = admin.call("GET", media);
    BOOST_TEST(small.status == 200u);
    BOOST_TEST(small.body == page);
    BOOST_TEST(small.header("content-type") == "application/octet-stream");  // never run as a page
    BOOST_TEST(small.header("content-disposition") ==
               "attachment; filename=\"Rechnung M__rz.html\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.html");

    // Nor is an agent's file over it sent, though --max-body would take it.
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-9", "support")).status == 200u);
    wa.graph.wait_for(7);  // "connecting you"
    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(8);  // "you're now chatting with"
    auto big = http_request(wa.server.port(), "POST", "/conversations/" + user + "/attachments", std::string(65, 'x'),
                            {{"Authorization", "Bearer " + admin.token}, {"Content-Type", "application/pdf"}});
    BOOST_TEST(big.status == 413u);
    BOOST_TEST(big.body.find("over the 64 bytes this server sends (--max-media)") != std::string::npos, big.body);
    BOOST_TEST(wa.graph.requests().size() == 8u);
}

// Each agent's file is in memory whole until it is answered: at most
// --max-uploads of them at once. One more is answered 503 at its headers,
// before its body is read, and once one is answered the next comes in.
BOOST_AUTO_TEST_CASE(files_read_at_once_are_at_most_max_uploads) {
    const std::string user = "15557405";
    wa_server wa({"--max-body", "1024", "--max-media", "4096", "--max-uploads", "2"});
    auto admin = admin_client(wa.server);
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-1", "support")).status == 200u);
    wa.graph.wait_for(1);  // "connecting you"
    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(2);  // "you're now chatting with"
    const std::string upload = "POST /conversations/" + user + "/attachments?filename=a.pdf HTTP/1.1\r\nHost: t\r\n"
                               "Authorization: Bearer " + admin.token +
                               "\r\nContent-Type: application/pdf\r\nContent-Length: 2000\r\n\r\n";
    const std::string half(1000, 'x');
    auto p = wa.server.port();
    test_connection first(p), second(p), third(p), fourth(p);
    first.send_raw(upload + half);  // on its way: its body half read
    second.send_raw(upload + half);
    wait_for_metric(p, "switchboard_http_uploads_open", 2);

    third.send_raw(upload + half + half);
    auto busy = third.read_response();
    BOOST_TEST(busy.status == 503u);
    BOOST_TEST(busy.header("retry-after") == "1");
    BOOST_TEST(busy.body.find("too many files are being uploaded at once (2)") != std::string::npos, busy.body);
    BOOST_TEST(read_metric(p, "switchboard_rejections_total{reason=\"large_bodies\"}") == 1);

    wa.graph.script({{200, R"({"id":"media-1"})", {}}});
    first.send_raw(half);
    BOOST_TEST(first.read_response().status == 201u);
    // Given back just after its answer is written: the client may read it first.
    BOOST_TEST(wait_for_metric_at_most(p, "switchboard_http_uploads_open", 1) == 1);
    fourth.send_raw(upload + half);  // taken now: its answer waits for the rest
    wait_for_metric(p, "switchboard_http_uploads_open", 2);
    second.send_raw(half);
    fourth.send_raw(half);
    BOOST_TEST(second.read_response().status != 503u);  // the route's answer, whatever WhatsApp said
    BOOST_TEST(fourth.read_response().status != 503u);
    BOOST_TEST(wait_for_metric_at_most(p, "switchboard_http_uploads_open", 0) == 0);
}

// An agent's file: uploaded to the business number's media, then sent by
// the id Meta gave it; the message carries it as a user's file does, and
// its sender opens it without WhatsApp being asked for it again.
BOOST_AUTO_TEST_CASE(an_agent_sends_the_user_a_file) {
    const std::string user = "15557401";
    const std::string attach = "/conversations/" + user + "/attachments";
    wa_server wa({"--max-body", "1024", "--max-media", "4096"});
    auto admin = admin_client(wa.server);
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-1", "support")).status == 200u);
    wa.graph.wait_for(1);  // "connecting you"
    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(2);  // "you're now chatting with"
    auto post_file = [&](const std::string& query, const std::string& type, const std::string& bytes) {
        return http_request(wa.server.port(), "POST", attach + query, bytes,
                            {{"Authorization", "Bearer " + admin.token}, {"Content-Type", type}});
    };

    // Over the server's --max-body, under --max-media: this route takes it.
    std::string pdf = "%PDF-1.4\r\n--switchboard-\r\n";
    pdf += std::string("\0\x01\xff", 3) + std::string(2000, 'x');
    wa.graph.script({{200, R"({"id":"media-out-1"})", {}}});
    auto sent = post_file("?filename=Rechnung%20M%C3%A4rz.pdf&caption=Your%20invoice&client_id=c-1",
                          "application/pdf", pdf);
    BOOST_TEST_REQUIRE(sent.status == 201u, sent.body);
    auto m = json::parse(sent.body);
    BOOST_TEST(m.at("type").as_string() == "document");
    BOOST_TEST(m.at("sender").as_string() == "admin");
    BOOST_TEST(m.at("client_id").as_string() == "c-1");
    BOOST_TEST(m.at("text").as_string() == "[document] Your invoice Rechnung März.pdf");
    BOOST_TEST(m.at("attachment").at("mime_type").as_string() == "application/pdf");
    BOOST_TEST(m.at("attachment").at("filename").as_string() == "Rechnung März.pdf");
    auto seq = m.at("seq").as_int64();
    BOOST_TEST(m.at("attachment").at("url").as_string() == attach.substr(0, attach.rfind('/')) + "/messages/" +
                                                                 std::to_string(seq) + "/media");

    auto graph = wa.graph.wait_for(4);
    BOOST_TEST(graph[2].method == "POST");
    BOOST_TEST(graph[2].target == "/v99.0/106540352242922/media");
    BOOST_TEST(graph[2].authorization == "Bearer tok-123");
    BOOST_TEST(graph[2].content_type.starts_with("multipart/form-data; boundary="));
    auto boundary = graph[2].content_type.substr(graph[2].content_type.find('=') + 1);
    BOOST_TEST(pdf.find(boundary) == std::string::npos);
    auto& form = graph[2].body;
    BOOST_TEST(form.find("name=\"messaging_product\"\r\n\r\nwhatsapp\r\n") != std::string::npos);
    BOOST_TEST(form.find("name=\"type\"\r\n\r\napplication/pdf\r\n") != std::string::npos);
    BOOST_TEST(form.find("name=\"file\"; filename=\"Rechnung März.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
                         pdf + "\r\n--" + boundary + "--\r\n") != std::string::npos);
    BOOST_TEST(graph[3].target == "/v99.0/106540352242922/messages");
    auto message = json::parse(graph[3].body);
    BOOST_TEST(message.at("type").as_string() == "document");
    BOOST_TEST(message.at("to").as_string() == user);
    BOOST_TEST(message.at("document").at("id").as_string() == "media-out-1");
    BOOST_TEST(message.at("document").at("caption").as_string() == "Your invoice");
    BOOST_TEST(message.at("document").at("filename").as_string() == "Rechnung März.pdf");

    // Its sender's console shows it from the server's memory.
    auto opened = admin.call("GET", std::string(m.at("attachment").at("url").as_string()));
    BOOST_TEST(opened.status == 200u);
    BOOST_TEST(opened.body == pdf);
    BOOST_TEST(wa.graph.requests().size() == 4u);

    // A photo is sent as one, with its caption and no name.
    wa.graph.script({{200, R"({"id":"media-out-2"})", {}}});
    auto photo = post_file("?caption=Here", "image/png", "\x89PNG\r\n\x1a\n");
    BOOST_TEST_REQUIRE(photo.status == 201u, photo.body);
    BOOST_TEST(json::parse(photo.body).at("text").as_string() == "[image] Here");
    auto image = json::parse(wa.graph.wait_for(6)[5].body);
    BOOST_TEST(image.at("type").as_string() == "image");
    BOOST_TEST(image.at("image").at("id").as_string() == "media-out-2");
    BOOST_TEST(image.at("image").at("caption").as_string() == "Here");
    BOOST_TEST(!image.at("image").as_object().contains("filename"));
    auto messages_now = [&] { return admin.json("GET", "/conversations/" + user).at("messages").as_array().size(); };
    auto stored = messages_now();

    // Refused before anything reaches WhatsApp, and nothing stored.
    auto refused = [&](const http_result& r, unsigned status, const std::string& words) {
        BOOST_TEST(r.status == status, r.body);
        BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
    };
    refused(post_file("", "application/pdf", std::string(4097, 'x')), 413, "request body exceeds 4096 bytes");
    refused(post_file("", "application/pdf", ""), 400, "empty");
    refused(post_file("?caption=hi", "audio/ogg", "OggS"), 400, "without a caption");
    refused(post_file("?caption=" + std::string(1025, 'c'), "image/png", "x"), 400, "1024");
    refused(http_request(wa.server.port(), "POST", attach, "x", {{"Content-Type", "image/png"}}), 401, "");
    // Past --max-body, no session is answered at the headers: the body is
    // never read (here it is never sent).
    test_connection unsent(wa.server.port());
    unsent.send_raw("POST " + attach + " HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 4000\r\n\r\n");
    refused(unsent.read_response(), 401, "log in first");
    BOOST_TEST(unsent.closed_by_server(5s));
    refused(admin.call("POST", "/conversations/" + user + "/chat-support/send",
                       R"({"text":")" + std::string(1100, 'y') + R"("})"),
            413, "request body exceeds 1024 bytes");  // the other routes keep --max-body
    BOOST_TEST(wa.post(text_payload("15557402", "wamid.in-2", "hi")).status == 200u);
    wa.graph.wait_for(7);  // the menu
    refused(http_request(wa.server.port(), "POST", "/conversations/15557402/attachments", "x",
                         {{"Authorization", "Bearer " + admin.token}, {"Content-Type", "image/png"}}),
            409, "no chat is active");
    BOOST_TEST(http_request(wa.server.port(), "POST", "/webhook", R"({"from":"15557403","text":"support"})").status ==
               200u);
    admin.json("POST", "/conversations/15557403/chat-support/start");
    refused(http_request(wa.server.port(), "POST", "/conversations/15557403/attachments", "x",
                         {{"Authorization", "Bearer " + admin.token}, {"Content-Type", "image/png"}}),
            409, "only to WhatsApp users");
    BOOST_TEST(wa.graph.requests().size() == 7u);

    // Meta refuses the upload: the agent reads why, and no message is made.
    wa.graph.script({{400, R"({"error":{"message":"Param file must be a file with one of the following types",
                                "type":"OAuthException","code":100}})", {}}});
    auto bad = post_file("?filename=a.exe", "application/x-msdownload", "MZ");
    refused(bad, 502, "WhatsApp did not take the file");
    BOOST_TEST(bad.body.find("(#100) Param file must be a file") != std::string::npos);
    BOOST_TEST(wa.graph.wait_for(8).size() == 8u);
    BOOST_TEST(messages_now() == stored);
    BOOST_TEST(wa.metric(R"(switchboard_media_uploads_total{outcome="ok"})") == 2);
    BOOST_TEST(wa.metric(R"(switchboard_media_uploads_total{outcome="failed"})") == 1);
}

// Past the 24-hour window WhatsApp takes only an approved template: agents
// list them from Meta and send one, filled in, in their chat.
BOOST_AUTO_TEST_CASE(an_agent_sends_an_approved_template) {
    const std::string user = "15557501";
    const std::string send = "/conversations/" + user + "/chat-support/send-template";
    wa_server wa({"--wa-business-account-id", "waba-77"});
    auto admin = admin_client(wa.server);
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-1", "support")).status == 200u);
    wa.graph.wait_for(1);  // "connecting you"
    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(2);  // "you're now chatting with"

    // Two pages from Meta, the sendable ones kept, in order of name.
    wa.graph.script(
        {{200, R"({"data":[
            {"name":"order_update","language":"en_US","status":"APPROVED","category":"UTILITY",
             "components":[{"type":"HEADER","format":"TEXT","text":"Your order"},
                           {"type":"BODY","text":"Hi {{1}}, order {{2}} ships today."}]},
            {"name":"photo","language":"en_US","status":"APPROVED","category":"MARKETING",
             "components":[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Look"}]}],
           "paging":{"cursors":{"after":"QVFI+/="},"next":"https://graph.example.test/next"}})", {}},
         {200, R"({"data":[{"name":"hello","language":"de","status":"APPROVED","category":"MARKETING",
                            "components":[{"type":"BODY","text":"Hallo!"}]},
                           {"name":"order_named","language":"en_US","status":"APPROVED","category":"UTILITY",
                            "parameter_format":"NAMED",
                            "components":[{"type":"BODY","text":"Hi {{first_name}}, order {{order_id}} is here."}]},
                           {"name":"ticket","language":"en_US","status":"APPROVED","category":"UTILITY",
                            "components":[{"type":"HEADER","format":"TEXT","text":"Ticket {{1}}"},
                                          {"type":"BODY","text":"We answered you."}]},
                           {"name":"track","language":"en_US","status":"APPROVED","category":"UTILITY",
                            "components":[{"type":"BODY","text":"Your parcel is on its way."},
                                          {"type":"BUTTONS","buttons":[
                                            {"type":"URL","text":"Track it","url":"https://shop.example.test/t/{{1}}"}]}]},
                           {"name":"booking","language":"en_US","status":"APPROVED","category":"UTILITY",
                            "components":[{"type":"BODY","text":"Book a visit."},
                                          {"type":"BUTTONS","buttons":[{"type":"FLOW","text":"Book"}]}]}],
                   "paging":{"cursors":{"after":"x"}}})", {}}});
    auto listed = admin.json("GET", "/whatsapp/templates").at("templates").as_array();
    BOOST_TEST_REQUIRE(listed.size() == 6u);  // not the flow's
    BOOST_TEST(listed[0].at("name").as_string() == "hello");
    BOOST_TEST(listed[1].at("name").as_string() == "order_named");
    BOOST_TEST(json::serialize(listed[1].at("parameter_names")) == R"(["first_name","order_id"])");
    BOOST_TEST(listed[2].at("name").as_string() == "order_update");
    BOOST_TEST(listed[2].at("header").as_string() == "Your order");
    BOOST_TEST(listed[2].at("parameters").as_int64() == 2);
    BOOST_TEST(listed[2].at("parameter_names").as_array().empty());
    BOOST_TEST(listed[2].at("header_variable").is_null());
    BOOST_TEST(listed[2].at("header_media").is_null());
    BOOST_TEST(listed[2].at("button_variables").as_array().empty());
    BOOST_TEST(listed[3].at("name").as_string() == "photo");
    BOOST_TEST(listed[3].at("header_media").as_string() == "image");
    BOOST_TEST(listed[4].at("header_variable").as_string() == "1");
    BOOST_TEST(json::serialize(listed[5].at("button_variables")) ==
               R"([{"type":"url","text":"Track it","url":"https://shop.example.test/t/{{1}}"}])");
    auto graph = wa.graph.wait_for(4);
    BOOST_TEST(graph[2].method == "GET");
    BOOST_TEST(graph[2].target ==
               "/v99.0/waba-77/message_templates?fields=name,language,status,category,components&limit=100");
    BOOST_TEST(graph[2].authorization == "Bearer tok-123");
    BOOST_TEST(graph[3].target == graph[2].target + "&after=QVFI%2B%2F%3D");

    // Sent from the list Meta gave a moment ago: no third read.
    auto sent = admin.call("POST", send,
                           R"({"name":"order_update","language":"en_US","parameters":["Sam","A-1"],"client_id":"t-1"})");
    BOOST_TEST_REQUIRE(sent.status == 201u, sent.body);
    auto m = json::parse(sent.body);
    BOOST_TEST(m.at("type").as_string() == "template");
    BOOST_TEST(m.at("sender").as_string() == "admin");
    BOOST_TEST(m.at("client_id").as_string() == "t-1");
    BOOST_TEST(m.at("text").as_string() == "*Your order*\nHi Sam, order A-1 ships today.");
    auto out = wa.graph.wait_for(5)[4];
    BOOST_TEST(out.method == "POST");
    BOOST_TEST(out.target == "/v99.0/106540352242922/messages");
    auto body = json::parse(out.body);
    BOOST_TEST(body.at("type").as_string() == "template");
    BOOST_TEST(body.at("to").as_string() == user);
    BOOST_TEST(json::serialize(body.at("template")) ==
               R"({"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"Sam"},{"type":"text","text":"A-1"}]}]})");
    auto history = admin.json("GET", "/conversations/" + user).at("messages").as_array();
    BOOST_TEST(history.back().at("type").as_string() == "template");
    BOOST_TEST(history.back().at("text").as_string() == "*Your order*\nHi Sam, order A-1 ships today.");

    // A named one: its values in parameter_names' order, sent with their names.
    auto named = admin.json("POST", send, R"({"name":"order_named","language":"en_US","parameters":["Sam","A-2"]})", 201);
    BOOST_TEST(named.at("text").as_string() == "Hi Sam, order A-2 is here.");
    BOOST_TEST(json::serialize(json::parse(wa.graph.wait_for(6)[5].body).at("template")) ==
               R"({"name":"order_named","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"Sam","parameter_name":"first_name"},{"type":"text","text":"A-2","parameter_name":"order_id"}]}]})");
    // A header's variable: its value apart, sent as the header's parameter.
    auto ticket = admin.json("POST", send, R"({"name":"ticket","language":"en_US","header_value":"T-9"})", 201);
    BOOST_TEST(ticket.at("text").as_string() == "*Ticket T-9*\nWe answered you.");
    BOOST_TEST(json::serialize(json::parse(wa.graph.wait_for(7)[6].body).at("template")) ==
               R"({"name":"ticket","language":{"code":"en_US"},"components":[{"type":"header","parameters":[{"type":"text","text":"T-9"}]}]})");
    // A photo header by its link, and a link button's end.
    auto photo = admin.json("POST", send, R"({"name":"photo","language":"en_US","header_media_url":"https://cdn.example.test/p.jpg"})", 201);
    BOOST_TEST(photo.at("text").as_string() == "[image] https://cdn.example.test/p.jpg\nLook");
    BOOST_TEST(json::serialize(json::parse(wa.graph.wait_for(8)[7].body).at("template")) ==
               R"({"name":"photo","language":{"code":"en_US"},"components":[{"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.test/p.jpg"}}]}]})");
    admin.json("POST", send, R"({"name":"track","language":"en_US","button_values":["A-1"]})", 201);
    BOOST_TEST(json::serialize(json::parse(wa.graph.wait_for(9)[8].body).at("template")) ==
               R"({"name":"track","language":{"code":"en_US"},"components":[{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"A-1"}]}]})");
    auto stored = admin.json("GET", "/conversations/" + user).at("messages").as_array().size();

    // Refused, each naming why, and nothing reaches WhatsApp.
    auto refused = [&](const http_result& r, unsigned status, const std::string& words) {
        BOOST_TEST(r.status == status, r.body);
        BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
    };
    refused(admin.call("POST", send, R"({"name":"order_update","language":"de","parameters":["a","b"]})"), 400,
            "no approved template order_update in de");
    refused(admin.call("POST", send, R"({"name":"booking","language":"en_US"})"), 400, "no approved template booking");
    auto no_photo = admin.call("POST", send, R"({"name":"photo","language":"en_US"})");
    refused(no_photo, 400, "photo's header is an image: give the link");
    BOOST_TEST(json::parse(no_photo.body).at("error").at("field").as_string() == "header_media_url");
    refused(admin.call("POST", send, R"({"name":"photo","language":"en_US","header_media_url":"file:///etc/passwd"})"),
            400, "whole http:// or https:// address");
    refused(admin.call("POST", send, R"({"name":"hello","language":"de","header_media_url":"https://x.test/a.jpg"})"),
            400, "hello's header takes no file");
    auto no_button = admin.call("POST", send, R"({"name":"track","language":"en_US"})");
    refused(no_button, 400, "track has 1 button that takes a value, and 0 were given");
    BOOST_TEST(json::parse(no_button.body).at("error").at("field").as_string() == "button_values");
    refused(admin.call("POST", send, R"({"name":"track","language":"en_US","button_values":["a b"]})"), 400,
            "Track it\\\"'s link must have no spaces");  // the quotes escaped in JSON
    refused(admin.call("POST", send, R"({"name":"track","language":"en_US","button_values":"A-1"})"), 400,
            "button_values must be an array of strings");
    refused(admin.call("POST", send, R"({"name":"order_update","language":"en_US","parameters":["Sam"]})"), 400,
            "takes 2 values, and 1 was given");
    refused(admin.call("POST", send, R"({"name":"order_update","language":"en_US","parameters":["Sam","a\nb"]})"),
            400, "{{2}} must be on one line");
    refused(admin.call("POST", send, R"({"name":"order_update","language":"en_US","parameters":"Sam"})"), 400,
            "parameters must be an array");
    refused(admin.call("POST", send, R"({"language":"en_US"})"), 400, "name");
    refused(http_request(wa.server.port(), "POST", send, R"({"name":"hello","language":"de"})"), 401, "");
    refused(http_request(wa.server.port(), "GET", "/whatsapp/templates", ""), 401, "");
    auto agent = agent_client(admin, "tess");
    refused(agent.call("POST", send, R"({"name":"hello","language":"de"})"), 409, "assigned to admin");
    BOOST_TEST(http_request(wa.server.port(), "POST", "/webhook", R"({"from":"15557503","text":"support"})").status ==
               200u);
    admin.json("POST", "/conversations/15557503/chat-support/start");
    refused(admin.call("POST", "/conversations/15557503/chat-support/send-template", R"({"name":"hello","language":"de"})"),
            409, "templates can be sent only to WhatsApp users");
    refused(admin.call("POST", send, R"({"name":"order_named","language":"en_US","parameters":["Sam"," "]})"), 400,
            "{{order_id}} is empty");
    BOOST_TEST(admin.json("GET", "/conversations/" + user).at("messages").as_array().size() == stored);
    auto no_header = admin.call("POST", send, R"({"name":"ticket","language":"en_US"})");
    refused(no_header, 400, "the header's {{1}} is empty");
    BOOST_TEST(json::parse(no_header.body).at("error").at("field").as_string() == "header_value");
    refused(admin.call("POST", send, R"({"name":"hello","language":"de","header_value":"x"})"), 400,
            "hello's header takes no value");
    BOOST_TEST(admin.json("GET", "/conversations/" + user).at("messages").as_array().size() == stored);
    BOOST_TEST(wa.graph.requests().size() == 9u);

    // A list Meta would not give is not kept: the next agent to ask asks again.
    wa_server other({"--wa-business-account-id", "waba-88"});
    auto other_admin = admin_client(other.server);
    other.graph.script({{400, R"({"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100}})", {}}});
    refused(other_admin.call("GET", "/whatsapp/templates"), 502, "(#100) Unsupported get request.");
    refused(other_admin.call("GET", "/whatsapp/templates"), 502, "not a list of templates");  // the fallback answer
    BOOST_TEST(other.graph.requests().size() == 2u);

    // Without the account, templates are not set up.
    wa_server unset;
    auto unset_admin = admin_client(unset.server);
    refused(unset_admin.call("GET", "/whatsapp/templates"), 409, "--wa-business-account-id");
    BOOST_TEST(unset.graph.requests().empty());
}

// A 👍 on the bot's menu or on an agent's reply reaches the agents, and the
// bot says nothing to it: no menu again, no "sent to support", and a chat
// waiting for its rating still takes it.
// With --wa-buttons the bot's keywords go as WhatsApp's reply buttons with
// the menu and as a list with the rating question; a tap answers with the
// keyword its id carries, whatever the button's title says. Without it the
// menu is text, as SPEC §3 sends every reply.
BOOST_AUTO_TEST_CASE(the_bot_offers_its_keywords_as_buttons_and_reads_a_tap_as_the_keyword) {
    {
        wa_server plain;
        BOOST_TEST(plain.post(text_payload("15557320", "wamid.text-1", "hi")).status == 200u);
        auto menu = json::parse(plain.graph.wait_for(1)[0].body);
        BOOST_TEST(menu.at("type").as_string() == "text");
        BOOST_TEST(std::string(menu.at("text").at("body").as_string()).starts_with("Welcome! Reply *support*"));
        // Nor does the agents' copy offer any: the user saw none.
        auto shown = admin_client(plain.server).json("GET", "/conversations/15557320").at("messages");
        BOOST_TEST(shown.at(1).at("sender").as_string() == "bot");
        BOOST_TEST(!shown.at(1).as_object().contains("choices"));
    }
    const std::string user = "15557321";
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"button_support": "Hablar con alguien"})";
    wa_server wa({"--bot-texts", file.string(), "--wa-buttons", "true"});
    auto admin = admin_client(wa.server);
    auto taps = [&](const std::string& id, const std::string& kind, const std::string& reply_id,
                    const std::string& title) {
        return wa.post(payload_with(
            {{"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", "106540352242922"}}},
             {"messages", {{{"from", user}, {"id", id}, {"timestamp", "1763900000"}, {"type", "interactive"},
                            {"interactive", {{"type", kind}, {kind, {{"id", reply_id}, {"title", title}}}}}}}}}));
    };
    BOOST_TEST(wa.post(text_payload(user, "wamid.tap-1", "hi")).status == 200u);
    auto menu = json::parse(wa.graph.wait_for(1)[0].body);
    BOOST_TEST(menu.at("type").as_string() == "interactive");
    BOOST_TEST(menu.at("interactive").at("type").as_string() == "button");
    BOOST_TEST(std::string(menu.at("interactive").at("body").at("text").as_string()).starts_with("Welcome! Reply *support*"));
    BOOST_TEST(json::serialize(menu.at("interactive").at("action")) ==
               R"({"buttons":[{"type":"reply","reply":{"id":"sb:support","title":"Hablar con alguien"}},)"
               R"({"type":"reply","reply":{"id":"sb:register","title":"Register"}}]})");

    BOOST_TEST(taps("wamid.tap-2", "button_reply", "sb:support", "Hablar con alguien").status == 200u);
    auto connecting = json::parse(wa.graph.wait_for(2)[1].body);
    BOOST_TEST(connecting.at("type").as_string() == "text");  // nothing to tap
    auto conversation = admin.json("GET", "/conversations/" + user);
    BOOST_TEST(conversation.at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(conversation.at("messages").at(2).at("text").as_string() == "support");  // as if typed
    // The agents see the buttons the menu showed, and what a tap sends.
    BOOST_TEST(json::serialize(conversation.at("messages").at(1).at("choices")) ==
               R"([{"text":"support","title":"Hablar con alguien"},{"text":"register","title":"Register"}])");
    BOOST_TEST(!conversation.at("messages").at(3).as_object().contains("choices"));  // "connecting": none

    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(3);  // "you're now chatting with"
    admin.json("POST", "/conversations/" + user + "/chat-support/end", "{}");
    auto question = json::parse(wa.graph.wait_for(4)[3].body);
    BOOST_TEST(question.at("type").as_string() == "interactive");
    auto& list = question.at("interactive");
    BOOST_TEST(list.at("type").as_string() == "list");
    BOOST_TEST(std::string(list.at("body").at("text").as_string()).starts_with("Chat support session ended."));
    BOOST_TEST(list.at("action").at("button").as_string() == "Rate");
    auto& rows = list.at("action").at("sections").at(0).at("rows").as_array();
    BOOST_REQUIRE(rows.size() == 5u);
    BOOST_TEST(json::serialize(rows[0]) == R"({"id":"sb:1","title":"1 ★"})");
    BOOST_TEST(json::serialize(rows[4]) == R"({"id":"sb:5","title":"5 ★★★★★"})");
    auto asked = admin.json("GET", "/conversations/" + user).at("messages").as_array().back();
    BOOST_TEST(std::string(asked.at("text").as_string()).starts_with("Chat support session ended."));
    BOOST_TEST(asked.at("choices").as_array().size() == 5u);
    BOOST_TEST(asked.at("choices").at(0).at("title").as_string() == "1 ★");

    BOOST_TEST(taps("wamid.tap-3", "list_reply", "sb:4", "4 ★★★★").status == 200u);
    auto thanks = json::parse(wa.graph.wait_for(5)[4].body);
    BOOST_TEST(std::string(thanks.at("interactive").at("body").at("text").as_string()).starts_with("Thanks"));
    auto overall = admin.json("GET", "/reports/summary").at("overall");
    BOOST_TEST(overall.at("csat").at("count").as_int64() == 1);
    BOOST_TEST(overall.at("csat").at("average").to_number<double>() == 4.0);

    // A button that is not the bot's is read by its title, as before.
    BOOST_TEST(taps("wamid.tap-4", "button_reply", "shop-7", "support").status == 200u);
    wa.graph.wait_for(6);
    BOOST_TEST(admin.json("GET", "/conversations/" + user).at("state").as_string() == "CHAT_SUPPORT_ACTIVE");
}

// WhatsApp takes at most 1,024 characters with buttons: a longer menu goes
// as text, whose words name the keywords anyway.
BOOST_AUTO_TEST_CASE(a_menu_too_long_for_buttons_goes_as_text) {
    temp_dir dir;
    auto file = dir.path() / "texts.json";
    std::ofstream(file) << R"({"menu_unregistered": "Reply support. )" << std::string(1010, 'x') << R"("})";
    wa_server wa({"--bot-texts", file.string(), "--wa-buttons", "true"});
    BOOST_TEST(wa.post(text_payload("15557322", "wamid.long-1", "hi")).status == 200u);
    auto menu = json::parse(wa.graph.wait_for(1)[0].body);
    BOOST_TEST(menu.at("type").as_string() == "text");
    BOOST_TEST(menu.at("text").at("body").as_string().size() == 1025u);
    auto shown = admin_client(wa.server).json("GET", "/conversations/15557322").at("messages");
    BOOST_TEST(!shown.at(1).as_object().contains("choices"));  // the agents' copy offers none either
}

BOOST_AUTO_TEST_CASE(a_reaction_reaches_the_agents_and_the_bot_leaves_it) {
    const std::string user = "15557301";
    wa_server wa;
    auto admin = admin_client(wa.server);
    auto reacts = [&](const std::string& id, const std::string& emoji) {
        return wa.post(payload_with({{"messages", {{{"from", user}, {"id", id}, {"type", "reaction"},
                                                    {"reaction", {{"message_id", "wamid.default"}, {"emoji", emoji}}}}}}}));
    };
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-1", "hi")).status == 200u);
    wa.graph.wait_for(1);  // the menu
    BOOST_TEST(reacts("wamid.in-2", "👍").status == 200u);
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-3", "support")).status == 200u);
    wa.graph.wait_for(2);  // "connecting you": the reaction got no menu of its own
    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(3);  // "you're now chatting with"
    BOOST_TEST(reacts("wamid.in-4", "🙏").status == 200u);
    BOOST_TEST(reacts("wamid.in-5", "").status == 200u);  // taken back: nothing
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-6", "exit")).status == 200u);
    wa.graph.wait_for(4);  // the rating question
    BOOST_TEST(reacts("wamid.in-7", "❤️").status == 200u);
    BOOST_TEST(wa.post(text_payload(user, "wamid.in-8", "5")).status == 200u);
    auto sent = wa.graph.wait_for(5);

    auto conversation = admin.json("GET", "/conversations/" + user);
    std::vector<std::string> said;
    for (auto& m : conversation.at("messages").as_array())
        said.push_back(std::string(m.at("sender").as_string()) + ":" + std::string(m.at("type").as_string()));
    std::vector<std::string> want{"user:text", "bot:text",  "user:reaction", "user:text",     "bot:text",
                                  "bot:text",  "user:reaction", "user:text", "bot:text", "user:reaction",
                                  "user:rating", "bot:text"};
    BOOST_TEST(said == want, boost::test_tools::per_element());
    BOOST_TEST(conversation.at("messages").at(2).at("text").as_string() == "[reaction] 👍");
    BOOST_TEST(conversation.at("state").as_string() == "IDLE");
    BOOST_TEST(std::string(json::parse(sent[4].body).at("text").at("body").as_string()).find("Thanks") != std::string::npos);
    // The rating kept its chat and agent through the reaction before it.
    auto agents = admin.json("GET", "/reports/summary").at("agents").as_array();
    BOOST_REQUIRE(agents.size() == 1u);
    BOOST_TEST(agents[0].at("agent").as_string() == "admin");
    BOOST_TEST(agents[0].at("csat").at("count").as_int64() == 1);
    BOOST_TEST(wa.graph.requests().size() == 5u);
}

// Read to its end before the failure: reading it again clears the count.
BOOST_AUTO_TEST_CASE(a_failure_after_the_last_read_is_cleared_by_reading_again) {
    wa_server wa;
    wa.graph.script({{200, R"({"messages":[{"id":"wamid.ok-1"}]})", {}}});
    auto admin = admin_client(wa.server);
    BOOST_TEST(wa.post(text_payload("15557001", "wamid.in-1", "hi")).status == 200u);
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", 1);
    BOOST_TEST(admin.json("POST", "/conversations/15557001/read", R"({"up_to":2})").at("unread").as_int64() == 0);
    auto failed = R"({"entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.ok-1","status":"failed",
        "recipient_id":"15557001","errors":[{"code":131026,"title":"Message undeliverable"}]}]}}]}]})";
    BOOST_TEST(wa.post(failed).status == 200u);
    BOOST_TEST(admin.json("GET", "/conversations/15557001").at("undelivered").as_int64() == 1);
    BOOST_TEST(admin.json("POST", "/conversations/15557001/read", R"({"up_to":2})").at("undelivered").as_int64() == 0);
    BOOST_TEST(admin.json("GET", "/conversations/15557001").at("undelivered").as_int64() == 0);
}

namespace {

// A WhatsApp server on a data directory, so that a test can age its
// history between two runs; admin's password known.
std::vector<std::string> whatsapp_on_disk(const temp_dir& dir, const receiver& graph) {
    return {"--wa-api-base", graph.url() + "/v99.0", "--wa-token", "tok-123", "--data", dir.path().string(),
            "--admin-password", "admin-secret-1"};
}

// Runs `before` on a server on `args` and stops it; then sets the messages
// (of `phone`, or everyone's) 25 hours back: past WhatsApp's 24-hour window
// since the user wrote, when the server starts again.
void then_25_hours_pass(const temp_dir& dir, const std::vector<std::string>& args,
                        const std::function<void(server_process&)>& before, const std::string& phone = "") {
    {
        server_process server(args);
        before(server);
        server.send_signal(SIGTERM);
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 0);
    }
    sqlite_script(dir.path() / "switchboard.db",
                  "UPDATE messages SET at = at - 90000000" + (phone.empty() ? "" : " WHERE phone = '" + phone + "'"));
}

// The texts the Graph stand-in was sent for one number, in order.
std::vector<std::string> texts_to(const receiver& graph, std::string_view to) {
    std::vector<std::string> out;
    for (auto& r : graph.requests()) {
        auto v = json::parse(r.body);
        if (v.at("to").as_string() == to && v.as_object().contains("text"))
            out.emplace_back(v.at("text").at("body").as_string());
    }
    return out;
}

}  // namespace

// Past WhatsApp's 24-hour window since the user last wrote, Meta refuses
// anything but a template: the bot's "now chatting with …" is then a note
// for the agents rather than a message bound to fail. Inside it, it goes.
BOOST_AUTO_TEST_CASE(a_notice_past_the_24_hour_window_is_a_note_for_the_agents) {
    temp_dir dir;
    receiver graph;
    auto args = whatsapp_on_disk(dir, graph);
    then_25_hours_pass(dir, args, [](server_process& server) {
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload("15557101", "wamid.in-1", "hi"))
                       .status == 200u);
        // The menu, taken and recorded so: else the restarted outbox would send it again.
        wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 1);
    }, "15557101");
    server_process server(args);
    api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
    agent_client(admin, "bob");
    auto c = admin.json("POST", "/conversations/15557101/chat-support/start");
    BOOST_TEST(c.at("assignee").as_string() == "admin");
    auto last = admin.json("GET", "/conversations/15557101").at("messages").as_array().back();
    BOOST_TEST(last.at("type").as_string() == "system");
    BOOST_TEST(last.at("text").as_string() ==
               "Not sent to the user, as WhatsApp's 24-hour window since their last message has closed (a template "
               "reaches them): You're now chatting with Administrator.");
    BOOST_TEST(admin.json("GET", "/conversations/15557101").at("undelivered").as_int64() == 0);

    // The user writes: the window opens, and the next notice goes. The outbox
    // keeps a user's messages in order, so a notice sent before would come first.
    BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload("15557101", "wamid.in-2", "hello?"))
                   .status == 200u);
    admin.json("POST", "/conversations/15557101/chat-support/transfer", R"({"to":"bob"})");
    auto sent = graph.wait_for(3);
    BOOST_TEST(json::parse(sent[1].body).at("text").at("body").as_string() == "✓ Your message has been sent to support");
    BOOST_TEST(std::string(json::parse(sent[2].body).at("text").at("body").as_string()).find("You're now chatting with bob") !=
               std::string::npos);
}

// The window runs from the user's newest message however far back in the
// history it is: 60 of the agent's messages after it do not hide it.
BOOST_AUTO_TEST_CASE(the_window_is_the_users_newest_message_behind_a_long_run_of_the_agents) {
    temp_dir dir;
    receiver graph;
    auto args = whatsapp_on_disk(dir, graph);
    then_25_hours_pass(dir, args, [](server_process& server) {
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload("15557102", "wamid.in-1", "hi"))
                       .status == 200u);
        api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
        admin.json("POST", "/conversations/15557102/chat-support/start");
        for (int i = 0; i < 60; ++i)
            admin.json("POST", "/conversations/15557102/chat-support/send",
                       R"({"text":"line )" + std::to_string(i) + R"("})", 201);
        // The menu, the notice and the 60, recorded as taken: else the restarted outbox would send them again.
        wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 62);
    }, "15557102");
    server_process server(args);
    api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
    agent_client(admin, "bob");
    admin.json("POST", "/conversations/15557102/chat-support/transfer", R"({"to":"bob"})");
    auto last = admin.json("GET", "/conversations/15557102").at("messages").as_array().back();
    BOOST_TEST(last.at("type").as_string() == "system");
    BOOST_TEST(last.at("text").as_string() ==
               "Not sent to the user, as WhatsApp's 24-hour window since their last message has closed (a template "
               "reaches them): You're now chatting with bob Display.");
}

// A user who asked for support on Friday and is still queued on Monday: the
// queue's "you moved up" and the idle timeout's notice would be refused by
// Meta past the window, and counted as failures in every list.
BOOST_AUTO_TEST_CASE(queue_and_idle_notices_past_the_24_hour_window_are_not_sent) {
    temp_dir dir;
    receiver graph;
    auto args = whatsapp_on_disk(dir, graph);
    then_25_hours_pass(dir, args, [&](server_process& server) {
        for (std::string from : {"15557201", "15557202"}) {
            BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload(from, "wamid.s-" + from, "support"))
                           .status == 200u);
        }
        wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 2);
        BOOST_TEST(texts_to(graph, "15557202").size() == 1u);  // connecting, number 2
    });
    {
        server_process server(args);
        api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
        admin.json("POST", "/conversations/15557201/chat-support/start");  // the second moves up
        BOOST_TEST(admin.json("GET", "/conversations/15557202").at("queue_position").as_int64() == 1);
        // The second user writes, and is answered; a notice of the move would be
        // ahead of the answer, the outbox keeping a user's messages in order.
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload("15557202", "wamid.in-2", "hello?"))
                       .status == 200u);
        wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 1);
        auto told = texts_to(graph, "15557202");
        BOOST_REQUIRE_EQUAL(told.size(), 2u);
        BOOST_TEST(told[1].find("number 1") == std::string::npos, told[1]);
        server.send_signal(SIGTERM);
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 0);
    }
    // Both chats time out: the first user's window is closed, the second's open.
    args.insert(args.end(), {"--idle-timeout", "1"});
    server_process server(args);
    wait_for_metric(server.port(), "switchboard_conversations_expired_total", 2);
    wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 1);
    auto told = texts_to(graph, "15557202");
    BOOST_REQUIRE_EQUAL(told.size(), 3u);
    BOOST_TEST(told[2] == "Your chat with support was closed after a period of inactivity.");
    api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
    auto last = admin.json("GET", "/conversations/15557201").at("messages").as_array().back();
    BOOST_TEST(last.at("type").as_string() == "system");
    BOOST_TEST(std::string(last.at("text").as_string()).find("closed after a period of inactivity") != std::string::npos);
    BOOST_TEST(texts_to(graph, "15557201").size() == 1u);  // connecting, before the restart: nothing since
}

BOOST_AUTO_TEST_CASE(a_receiver_that_is_down_gets_the_message_once_it_is_back) {
    unsigned short port;
    {
        receiver probe;  // find a free port, then leave it closed: connections are refused
        port = probe.port();
    }
    server_process server({"--wa-api-base", "http://127.0.0.1:" + std::to_string(port), "--outbox-max-backoff", "1"});
    BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload("15551234", "wamid.in-1", "hi"))
                   .status == 200u);
    wait_for_metric(server.port(), "switchboard_outbox_retries_total", 2);
    BOOST_TEST(read_metric(server.port(), "switchboard_outbox_pending") == 1);

    receiver graph({200, R"({"messages":[{"id":"wamid.late"}]})", {}}, port);
    auto sent = graph.wait_for(1);
    BOOST_TEST(json::parse(sent[0].body).at("to").as_string() == "15551234");
    wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 1);
    BOOST_TEST(read_metric(server.port(), "switchboard_outbox_pending") == 0);
}

// Messages waiting out an outage (here each told to wait 30 s) go as soon as
// the provider takes one again, not each at the end of its own wait: a
// backlog waited up to --outbox-max-backoff after the provider was back.
BOOST_AUTO_TEST_CASE(a_provider_back_from_an_outage_gets_the_waiting_messages_at_once) {
    wa_server wa;
    constexpr int waiting = 5;
    wa.graph.script(std::vector<scripted_answer>(waiting, {503, "down for maintenance", "30"}));
    for (int i = 0; i < waiting; ++i) {
        auto from = "1555100" + std::to_string(i);
        BOOST_TEST(wa.post(text_payload(from, "wamid.in-" + from, "hi")).status == 200u);
    }
    wait_for_metric(wa.server.port(), "switchboard_outbox_retries_total", waiting);  // all refused, all waiting
    BOOST_TEST(wa.post(text_payload("15552000", "wamid.in-back", "hi")).status == 200u);  // taken: it is back
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", waiting + 1, 10s);
    BOOST_TEST(read_metric(wa.server.port(), "switchboard_outbox_pending") == 0);
    std::set<std::string> to;
    for (auto& r : wa.graph.requests()) to.insert(std::string(json::parse(r.body).at("to").as_string()));
    BOOST_TEST(to.size() == std::size_t(waiting + 1));
}

// A provider that refuses one message for good (400: that number cannot be
// reached) is up: the messages waiting out its outage go at once, as they
// do when it takes one. Until this, only a 2xx ended an outage.
BOOST_AUTO_TEST_CASE(a_provider_that_refuses_a_message_is_back_for_the_others) {
    wa_server wa;
    constexpr int waiting = 5;
    std::vector<scripted_answer> answers(waiting, {503, "down for maintenance", "30"});
    answers.push_back({400, R"({"error":{"message":"(#131026) Message undeliverable","code":131026}})", {}});
    wa.graph.script(answers);
    for (int i = 0; i < waiting; ++i) {
        auto from = "1555300" + std::to_string(i);
        BOOST_TEST(wa.post(text_payload(from, "wamid.in-" + from, "hi")).status == 200u);
    }
    wait_for_metric(wa.server.port(), "switchboard_outbox_retries_total", waiting);  // all refused, all waiting
    BOOST_TEST(wa.post(text_payload("15554000", "wamid.in-refused", "hi")).status == 200u);
    wait_for_metric(wa.server.port(), "switchboard_outbox_failed_total", 1);
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", waiting, 10s);
    BOOST_TEST(read_metric(wa.server.port(), "switchboard_outbox_pending") == 0);
}

// In an outage one retrying message asks for all: the others wait behind it
// rather than each retrying (and saving its attempt count) on its own
// backoff, and go as soon as it gets through. Each message's first try and
// first retry still go.
BOOST_AUTO_TEST_CASE(in_an_outage_one_message_retries_for_all) {
    wa_server wa({"--outbox-max-backoff", "1"});
    constexpr std::size_t waiting = 5, refused = 2 * waiting + 3;
    wa.graph.script(std::vector<scripted_answer>(refused, {503, "down", {}}));
    for (std::size_t i = 0; i < waiting; ++i) {
        auto from = "1555200" + std::to_string(i);
        BOOST_TEST(wa.post(text_payload(from, "wamid.in-" + from, "hi")).status == 200u);
    }
    wait_for_metric(wa.server.port(), "switchboard_outbox_accepted_total", waiting, 20s);
    auto sent = wa.graph.requests();
    auto to = [&](std::size_t i) { return std::string(json::parse(sent.at(i).body).at("to").as_string()); };
    std::set<std::string> first_tries, first_retries, retried_before_the_way_was_clear;
    for (std::size_t i = 0; i < waiting; ++i) first_tries.insert(to(i));
    for (std::size_t i = waiting; i < 2 * waiting; ++i) first_retries.insert(to(i));
    for (std::size_t i = 2 * waiting; i <= refused; ++i) retried_before_the_way_was_clear.insert(to(i));
    BOOST_TEST(first_tries.size() == waiting);
    BOOST_TEST(first_retries.size() == waiting);
    BOOST_TEST(retried_before_the_way_was_clear.size() == 1u);  // the 3 refused retries and the first accepted
    BOOST_TEST(sent.size() == refused + waiting);  // and then each of the other four, once
}

// A user who swipes to reply to an agent's question, or reacts to it, is
// shown answering that message; an agent's reply that quotes the user's
// message reaches WhatsApp with it as its `context`. Kept over a restart.
// The agent a WhatsApp chat is assigned to writes to the user: the user sees
// "typing…" (Meta's typing indicator, on their latest message), once for a
// run of typing. A private note, another agent, or a chat still waiting in
// the queue shows them nothing.
BOOST_AUTO_TEST_CASE(the_user_sees_typing_while_their_agent_writes_to_them) {
    const std::string user = "15557301";
    wa_server wa;
    auto p = wa.server.port();
    auto admin = admin_client(wa.server);
    auto bob = agent_client(admin, "bob");
    ws_client mine(p, "/ws?token=" + admin.token);
    ws_client other(p, "/ws?token=" + bob.token);
    mine.next_of_type("hello");
    other.next_of_type("hello");
    auto typing = [&](ws_client& ws, bool to_user) {
        ws.send(R"({"type":"typing","conversation":")" + user + R"(","on":true,"to_user":)" +
                (to_user ? "true" : "false") + "}");
        ws.send(R"({"type":"ping"})");  // answered once the typing has been taken
        ws.next_of_type("pong");
    };

    auto send = [&](const std::string& text) {
        admin.json("POST", "/conversations/" + user + "/chat-support/send", R"({"text":")" + text + R"("})", 201);
    };
    auto text_of = [](const received_request& r) { return std::string(json::parse(r.body).at("text").at("body").as_string()); };

    BOOST_TEST(wa.post(text_payload(user, "wamid.in-1", "support")).status == 200u);
    wa.graph.wait_for(1);  // "connecting you"
    typing(mine, true);    // waiting in the queue: nobody's chat yet
    admin.json("POST", "/conversations/" + user + "/chat-support/start");
    wa.graph.wait_for(2);  // "you're now chatting with"
    typing(mine, false);   // a private note
    typing(other, true);   // not bob's chat
    // Anything those sent would come before this message.
    send("One moment");
    wait_for_metric(p, "switchboard_outbox_accepted_total", 3);
    BOOST_TEST(text_of(wa.graph.wait_for(3)[2]) == "One moment");

    typing(mine, true);  // shown
    typing(mine, true);  // still shown: not asked again
    send("Hello!");
    wait_for_metric(p, "switchboard_outbox_accepted_total", 4);
    auto sent = wa.graph.requests();
    BOOST_TEST_REQUIRE(sent.size() == 5u);
    BOOST_TEST(sent[3].target == "/v99.0/106540352242922/messages");
    BOOST_TEST(sent[3].authorization == "Bearer tok-123");
    BOOST_TEST(sent[3].body == R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.in-1",)"
                               R"("typing_indicator":{"type":"text"}})");
    BOOST_TEST(text_of(sent[4]) == "Hello!");

    // A message ends the indicator on the user's phone: typing the next one shows it again.
    typing(mine, true);
    send("Anything else?");
    wait_for_metric(p, "switchboard_outbox_accepted_total", 5);
    sent = wa.graph.requests();
    BOOST_TEST_REQUIRE(sent.size() == 7u);
    BOOST_TEST(sent[5].body == sent[3].body);
    BOOST_TEST(text_of(sent[6]) == "Anything else?");
    // Other agents still hear who types, as before.
    auto heard = other.next_of_type("typing");
    BOOST_TEST(heard.at("data").at("agent").as_string() == "admin");
}

BOOST_AUTO_TEST_CASE(replies_quote_the_message_they_answer_both_ways) {
    const std::string user = "15557201";
    temp_dir dir;
    receiver graph;
    auto args = whatsapp_on_disk(dir, graph);
    auto quoting = [&](const std::string& id, const std::string& text, const std::string& quoted) {
        auto v = json::parse(text_payload(user, id, text));
        v.at("entry").at(0).at("changes").at(0).at("value").at("messages").at(0).as_object()["context"] = {
            {"from", "15550783881"}, {"id", quoted}};
        return json::serialize(v);
    };
    auto history = [&](const api_client& admin) {
        return admin.json("GET", "/conversations/" + user).at("messages").as_array();
    };
    auto seq_of = [](const json::array& messages, std::string_view text) {
        for (auto& m : messages)
            if (m.at("text").as_string() == text) return m.at("seq").as_int64();
        return std::int64_t{0};
    };
    {
        server_process server(args);
        api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", text_payload(user, "wamid.in-1", "support"))
                       .status == 200u);
        graph.wait_for(1);  // "connecting you"
        admin.json("POST", "/conversations/" + user + "/chat-support/start");
        graph.wait_for(2);  // "you're now chatting with"
        graph.script({{200, R"({"messages":[{"id":"wamid.agent-1"}]})", {}}});
        admin.json("POST", "/conversations/" + user + "/chat-support/send", R"({"text":"Your order number?"})", 201);
        graph.wait_for(3);
        wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 3);  // its wamid is known now
        auto asked = seq_of(history(admin), "Your order number?");
        BOOST_TEST_REQUIRE(asked > 0);

        // The user quotes the question, then reacts to it.
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", quoting("wamid.in-2", "A-1", "wamid.agent-1"))
                       .status == 200u);
        auto reaction = payload_with(
            {{"metadata", {{"phone_number_id", "106540352242922"}}},
             {"messages", {{{"from", user}, {"id", "wamid.in-3"}, {"timestamp", "1763900001"}, {"type", "reaction"},
                            {"reaction", {{"message_id", "wamid.agent-1"}, {"emoji", "👍"}}}}}}});
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", reaction).status == 200u);
        // Quoting a message Switchboard does not know (one from before it, say): no quote.
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", quoting("wamid.in-4", "and B-2", "wamid.unknown"))
                       .status == 200u);
        // And their own message: found by the key its webhook was taken under.
        BOOST_TEST(http_request(server.port(), "POST", "/webhook/whatsapp", quoting("wamid.in-5", "(see above)", "wamid.in-2"))
                       .status == 200u);
        graph.wait_for(6);  // the bot's "sent to support" for the three texts; a reaction gets none
        auto messages = history(admin);
        auto answer = seq_of(messages, "A-1");
        for (auto& m : messages) {
            auto text = std::string(m.at("text").as_string());
            if (text == "A-1" || text == "[reaction] 👍") BOOST_TEST(m.at("reply_to").as_int64() == asked, text);
            else if (text == "(see above)") BOOST_TEST(m.at("reply_to").as_int64() == answer, text);
            else BOOST_TEST(!m.as_object().contains("reply_to"), text);
        }

        // The agent answers quoting the user's message: Meta gets its wamid as the context.
        auto sent = admin.json("POST", "/conversations/" + user + "/chat-support/send",
                               R"({"text":"Found it.","reply_to":)" + std::to_string(answer) + "}", 201);
        BOOST_TEST(sent.at("reply_to").as_int64() == answer);
        auto out = json::parse(graph.wait_for(7)[6].body);
        BOOST_TEST(out.at("text").at("body").as_string() == "Found it.");
        BOOST_TEST(json::serialize(out.at("context")) == R"({"message_id":"wamid.in-2"})");
        BOOST_TEST(!json::parse(graph.requests()[2].body).as_object().contains("context"));  // a reply quoting nothing

        // Refused, naming reply_to, and nothing is sent.
        auto note = admin.json("POST", "/conversations/" + user + "/notes", R"({"text":"VIP"})", 201).at("seq").as_int64();
        auto refused = [&](const std::string& body, unsigned status, const std::string& words) {
            auto r = admin.call("POST", "/conversations/" + user + "/chat-support/send", body);
            BOOST_TEST(r.status == status, r.body);
            BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
        };
        refused(R"({"text":"x","reply_to":)" + std::to_string(note) + "}", 400, "a note for the agents");
        refused(R"({"text":"x","reply_to":999})", 400, "no message 999");
        refused(R"({"text":"x","reply_to":"3"})", 400, R"("field":"reply_to")");
        refused(R"({"text":"x","reply_to":0})", 400, R"("field":"reply_to")");
        auto unknown = admin.call("POST", "/conversations/15559999/chat-support/send", R"({"text":"x","reply_to":1})");
        BOOST_TEST(unknown.status == 404u, unknown.body);
        BOOST_TEST(graph.requests().size() == 7u);

        // A file may quote a message too (reply_to in the query): uploaded, then sent with the context.
        auto post_file = [&](const std::string& query) {
            return http_request(server.port(), "POST", "/conversations/" + user + "/attachments" + query, "PNG",
                                {{"Authorization", "Bearer " + admin.token}, {"Content-Type", "image/png"}});
        };
        auto bad_file = post_file("?reply_to=abc");
        BOOST_TEST(bad_file.status == 400u, bad_file.body);
        BOOST_TEST(bad_file.body.find(R"("field":"reply_to")") != std::string::npos, bad_file.body);
        auto note_file = post_file("?reply_to=" + std::to_string(note));
        BOOST_TEST(note_file.status == 400u, note_file.body);
        BOOST_TEST(graph.requests().size() == 7u);  // nothing uploaded for a refused one
        graph.script({{200, R"({"id":"media-q-1"})", {}}});
        auto file = post_file("?caption=this%20one&reply_to=" + std::to_string(answer));
        BOOST_TEST_REQUIRE(file.status == 201u, file.body);
        BOOST_TEST(json::parse(file.body).at("reply_to").as_int64() == answer);
        auto file_out = json::parse(graph.wait_for(9)[8].body);
        BOOST_TEST(file_out.at("type").as_string() == "image");
        BOOST_TEST(json::serialize(file_out.at("context")) == R"({"message_id":"wamid.in-2"})");
        wait_for_metric(server.port(), "switchboard_outbox_accepted_total", 8);
        server.send_signal(SIGTERM);
        BOOST_TEST(server.wait_exit(5s).value_or(-1) == 0);
    }
    // Started again on the same store, the quotes are there.
    server_process server(args);
    api_client admin{server.port(), login(server.port(), "admin", "admin-secret-1")};
    auto messages = history(admin);
    std::map<std::string, std::int64_t> quotes;  // text → the seq it quotes
    for (auto& m : messages)
        if (m.as_object().contains("reply_to")) quotes[std::string(m.at("text").as_string())] = m.at("reply_to").as_int64();
    BOOST_TEST(quotes.size() == 5u);
    BOOST_TEST(quotes["(see above)"] == seq_of(messages, "A-1"));
    BOOST_TEST(quotes["[image] this one"] == seq_of(messages, "A-1"));
    // A transcript says what each quote answers.
    auto txt = admin.call("GET", "/conversations/" + user + "/transcript?format=txt").body;
    BOOST_TEST(txt.find("Sam: A-1 (replying to Agent admin: \"Your order number?\")\n") != std::string::npos, txt);
    BOOST_TEST(txt.find("Agent admin: Found it. (replying to Sam: \"A-1\")\n") != std::string::npos, txt);
    BOOST_TEST(quotes["A-1"] == seq_of(messages, "Your order number?"));
    BOOST_TEST(quotes["[reaction] 👍"] == seq_of(messages, "Your order number?"));
    BOOST_TEST(quotes["Found it."] == seq_of(messages, "A-1"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(whatsapp_tls)

// The send API over HTTPS: a receiver with a certificate the server is told
// to trust gets the message; without that trust the handshake fails and the
// message waits in the outbox.
BOOST_AUTO_TEST_CASE(sends_over_tls_and_checks_the_certificate) {
    temp_dir dir;
    auto cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
    auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
               "subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
    BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
    receiver graph({200, R"({"messages":[{"id":"wamid.tls"}]})", {}}, 0, tls_files{cert, key});
    BOOST_TEST(graph.url().starts_with("https://"));

    server_process trusting({"--wa-api-base", graph.url(), "--outbound-ca-file", cert});
    BOOST_TEST(http_request(trusting.port(), "POST", "/webhook/whatsapp", text_payload("15551234", "wamid.in-1", "hi")).status == 200u);
    auto sent = graph.wait_for(1);
    BOOST_TEST(sent[0].target == "/106540352242922/messages");
    wait_for_metric(trusting.port(), "switchboard_outbox_accepted_total", 1);

    server_process doubting({"--wa-api-base", graph.url()});
    BOOST_TEST(http_request(doubting.port(), "POST", "/webhook/whatsapp", text_payload("15559999", "wamid.in-2", "hi")).status == 200u);
    wait_for_metric(doubting.port(), "switchboard_outbox_retries_total", 1);  // the handshake failed: retried
    BOOST_TEST(read_metric(doubting.port(), "switchboard_outbox_accepted_total") == 0);
    BOOST_TEST(graph.requests().size() == 1u);

    auto bad = run_binary({"--port", "0", "--data", ":memory:", "--outbound-ca-file", (dir.path() / "nope.pem").string()});
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST(bad.err.find("nope.pem") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
