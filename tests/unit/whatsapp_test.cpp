// Meta's sample payloads through the parser; the signature check.
#include "switchboard/channels/outbox.hpp"
#include "switchboard/channels/provider_error.hpp"
#include "switchboard/channels/whatsapp.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using namespace switchboard::channels;
using switchboard::chat::message_status;

namespace {

std::string sample(const std::string& name) {
    std::ifstream in(std::string(SWITCHBOARD_TEST_DATA) + "/whatsapp/" + name, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "missing sample " << name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

wa_payload parse_ok(const std::string& body) {
    auto r = parse_whatsapp_webhook(body);
    if (auto* e = std::get_if<wa_parse_error>(&r)) BOOST_FAIL("parse error at " << e->field << ": " << e->message);
    return std::get<wa_payload>(r);
}

wa_parse_error parse_error(const std::string& body) {
    auto r = parse_whatsapp_webhook(body);
    BOOST_REQUIRE(std::holds_alternative<wa_parse_error>(r));
    return std::get<wa_parse_error>(r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(whatsapp)

BOOST_AUTO_TEST_CASE(text_message_with_contact_name_and_business_number) {
    auto p = parse_ok(sample("text.json"));
    BOOST_REQUIRE(p.messages.size() == 1u);
    auto& m = p.messages[0];
    BOOST_TEST(m.from == "16505551234");
    BOOST_TEST(m.id == "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUY001QTA=");
    BOOST_TEST(m.text == "support");
    BOOST_TEST(m.kind == "text");
    BOOST_TEST(m.profile_name == "Sheena Nelson");
    BOOST_TEST(m.phone_number_id == "106540352242922");
    BOOST_TEST(p.statuses.empty());
}

BOOST_AUTO_TEST_CASE(batch_keeps_every_message_in_order) {
    auto p = parse_ok(sample("text-batch.json"));
    BOOST_REQUIRE(p.messages.size() == 3u);
    BOOST_TEST(p.messages[0].text == "first");
    BOOST_TEST(p.messages[1].text == "second");
    BOOST_TEST(p.messages[2].text == "hello");
    BOOST_TEST(p.messages[2].from == "447700900123");
    BOOST_TEST(p.messages[2].profile_name == "Ada");
}

BOOST_AUTO_TEST_CASE(interactive_replies_use_the_title) {
    auto button = parse_ok(sample("interactive-button.json"));
    BOOST_TEST(button.messages.at(0).text == "support");
    BOOST_TEST(button.messages.at(0).kind == "text");
    // The message whose button was tapped, as Meta's `context` names it.
    BOOST_TEST(button.messages.at(0).reply_to_id == "wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI5QUNEMDAwMAA=");
    BOOST_TEST(parse_ok(sample("text.json")).messages.at(0).reply_to_id.empty());
    auto list = parse_ok(sample("interactive-list.json"));
    BOOST_TEST(list.messages.at(0).text == "register");
}

BOOST_AUTO_TEST_CASE(media_and_location_get_a_type_and_placeholder) {
    auto image = parse_ok(sample("image.json"));
    BOOST_TEST(image.messages.at(0).kind == "image");
    BOOST_TEST(image.messages.at(0).text == "[image] my receipt");
    auto loc = parse_ok(sample("location.json"));
    BOOST_TEST(loc.messages.at(0).kind == "location");
    BOOST_TEST(loc.messages.at(0).text == "[location] 38.980626,-131.942861 Main Street Store, 1 Main Street");
}

// The file is Meta's to keep: what is kept is its id, its type and a
// document's name, each only in a shape that is safe to pass on.
BOOST_AUTO_TEST_CASE(a_media_message_keeps_its_file_reference) {
    auto image = parse_ok(sample("image.json")).messages.at(0);
    BOOST_TEST(image.media->media_id == "1479537139650973");
    BOOST_TEST(image.media->mime_type == "image/jpeg");
    BOOST_TEST(image.media->filename.empty());
    BOOST_TEST(parse_ok(sample("text.json")).messages.at(0).media.has_value() == false);
    BOOST_TEST(parse_ok(sample("location.json")).messages.at(0).media.has_value() == false);

    auto as_document = [](std::string body, const std::string& fields) {
        body.replace(body.find("\"type\": \"image\""), 15, "\"type\": \"document\"");
        body.replace(body.find("\"image\": {"), 10, "\"document\": {" + fields);
        return body;
    };
    auto doc = parse_ok(as_document(sample("image.json"), R"("filename": "invoice\n 7.pdf",)")).messages.at(0);
    BOOST_TEST(doc.kind == "document");
    BOOST_TEST(doc.media->media_id == "1479537139650973");
    BOOST_TEST(doc.media->filename == "invoice 7.pdf");  // control characters dropped
    BOOST_TEST(doc.text == "[document] my receipt invoice\n 7.pdf");

    // An id that could change the Graph API's path is not kept; the message is.
    auto odd_id = sample("image.json");
    odd_id.replace(odd_id.find("\"1479537139650973\""), 18, "\"../me?x=1\"");
    auto odd = parse_ok(odd_id).messages.at(0);
    BOOST_TEST(odd.media.has_value() == false);
    BOOST_TEST(odd.text == "[image] my receipt");
    // A type that is not printable ASCII is not passed on as a header.
    auto odd_type = sample("image.json");
    odd_type.replace(odd_type.find("\"image/jpeg\""), 12, "\"image/jpeg\\r\\nX: y\"");
    BOOST_TEST(parse_ok(odd_type).messages.at(0).media->mime_type == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(a_reaction_is_kept_and_one_taken_back_is_not) {
    auto reaction = [](const std::string& emoji) {
        return R"({"entry":[{"changes":[{"value":{"messages":[{"from":"16505551234","id":"wamid.r1",
            "type":"reaction","reaction":{"message_id":"wamid.out-1","emoji":")" + emoji + R"("}}]}}]}]})";
    };
    auto p = parse_ok(reaction("👍"));
    BOOST_REQUIRE(p.messages.size() == 1u);
    BOOST_TEST(p.messages[0].kind == "reaction");
    BOOST_TEST(p.messages[0].text == "[reaction] 👍");
    BOOST_TEST(p.messages[0].reply_to_id == "wamid.out-1");  // what it is a reaction to
    BOOST_TEST(parse_ok(reaction("")).messages.empty());
}

// What agents are shown of the other kinds Meta sends.
BOOST_AUTO_TEST_CASE(contacts_a_new_number_and_what_whatsapp_held_back) {
    auto one = [](const std::string& message) {
        return parse_ok(R"({"entry":[{"changes":[{"value":{"messages":[{"from":"16505551234","id":"wamid.k1",)" +
                        message + "}]}}]}]}")
            .messages.at(0);
    };
    auto contacts = one(R"("type":"contacts","contacts":[
        {"name":{"formatted_name":"Ana Lima","first_name":"Ana"},"phones":[{"phone":"+55 11 5555-0100","type":"CELL"}]},
        {"name":{"formatted_name":"Bo"}}])");
    BOOST_TEST(contacts.kind == "contacts");
    BOOST_TEST(contacts.text == "[contacts] Ana Lima +55 11 5555-0100, Bo");
    auto system = one(R"("type":"system","system":{"body":"User A changed from 16505551234 to 16505550000",
        "wa_id":"16505550000","type":"user_changed_number"})");
    BOOST_TEST(system.text == "[system] User A changed from 16505551234 to 16505550000");
    auto held = one(R"("type":"unsupported","errors":[{"code":131051,"title":"Message type unknown",
        "message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}])");
    BOOST_TEST(held.text == "[unsupported] (#131051) Message type unknown: Message type is currently not supported.");
    BOOST_TEST(one(R"("type":"unsupported")").text == "[unsupported]");
    BOOST_TEST(one(R"("type":"contacts","contacts":"x")").text == "[contacts]");
}

BOOST_AUTO_TEST_CASE(statuses) {
    auto sent = parse_ok(sample("status-sent.json"));
    BOOST_REQUIRE(sent.statuses.size() == 1u);
    BOOST_TEST((sent.statuses[0].status == message_status::sent));
    BOOST_TEST(sent.statuses[0].recipient == "16505551234");
    BOOST_TEST((parse_ok(sample("status-read.json")).statuses.at(0).status == message_status::read));
    BOOST_TEST((parse_ok(sample("status-failed.json")).statuses.at(0).status == message_status::failed));
    BOOST_TEST(sent.statuses[0].error.empty());
}

// What an agent is shown of a failed message: Meta's reason, not its JSON.
BOOST_AUTO_TEST_CASE(a_failed_status_says_why) {
    auto failed = parse_ok(sample("status-failed.json")).statuses.at(0);
    BOOST_TEST(failed.error ==
               "(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed "
               "since the customer last replied to this number.");
    auto no_errors = sample("status-failed.json");
    no_errors.replace(no_errors.find("\"errors\""), 8, "\"other_errors\"");
    BOOST_TEST(parse_ok(no_errors).statuses.at(0).error == "the provider gave no reason");
    // An `errors` of the wrong shape costs the reason, not the webhook.
    for (std::string odd :
         {R"("errors": {"code": 1},)", R"("errors": "x",)", R"("errors": [],)", R"("errors": [7],)"}) {
        auto body = sample("status-failed.json");
        body.replace(body.find("\"errors\""), 0, odd);
        body.replace(body.find("\"errors\"", body.find(odd) + odd.size()), 8, "\"other_errors\"");
        BOOST_TEST(parse_ok(body).statuses.at(0).error == "the provider gave no reason", odd);
    }
}

BOOST_AUTO_TEST_CASE(a_refused_send_says_why) {
    // Meta's send API, its message repeated in its details.
    BOOST_TEST(refusal_reason(400, R"({"error":{"message":"(#131030) Recipient phone number not in allowed list",
        "type":"OAuthException","code":131030,"error_data":{"messaging_product":"whatsapp",
        "details":"Recipient phone number not in allowed list: Add recipient phone number to recipient list."}}})") ==
               "HTTP 400: (#131030) Recipient phone number not in allowed list: Add recipient phone number to "
               "recipient list.");
    BOOST_TEST(refusal_reason(401, R"({"error":{"message":"Invalid OAuth access token.","code":190}})") ==
               "HTTP 401: (#190) Invalid OAuth access token.");
    BOOST_TEST(refusal_reason(422, R"({"error":"no such user"})") == "HTTP 422: no such user");
    BOOST_TEST(refusal_reason(400, R"({"error":{"code":100}})") == "HTTP 400: (#100) the provider gave no reason");
    BOOST_TEST(refusal_reason(404, "") == "HTTP 404");
    BOOST_TEST(refusal_reason(400, "<html>Bad Request</html>") == "HTTP 400: <html>Bad Request</html>");
    BOOST_TEST(refusal_reason(400, std::string(1000, 'x')).size() == std::string("HTTP 400: ").size() + 200);
    BOOST_TEST(refusal_reason(400, "\xff\xfe") == "HTTP 400 (its body is not text)");
    // Cut at a character, never inside one.
    std::string long_reason;
    for (int i = 0; i < 600; ++i) long_reason += "é";
    auto cut = refusal_reason(400, R"({"error":")" + long_reason + R"("})");
    BOOST_TEST(cut == "HTTP 400: " + long_reason.substr(0, 2 * (max_error_chars - 10)));
}

BOOST_AUTO_TEST_CASE(malformed_payloads_name_the_field) {
    BOOST_TEST(parse_error("{nope").field == "body");
    BOOST_TEST(parse_error("[]").field == "body");
    BOOST_TEST(parse_error(R"({"object":"x"})").field == "entry");
    auto no_from = parse_error(
        R"({"entry":[{"changes":[{"value":{"messages":[{"id":"w1","type":"text","text":{"body":"x"}}]}}]}]})");
    BOOST_TEST(no_from.field == "entry[0].changes[0].value.messages[0].from");
    auto bad_from = parse_error(
        R"({"entry":[{"changes":[{"value":{"messages":[{"from":"abc","id":"w1","type":"text"}]}}]}]})");
    BOOST_TEST(bad_from.field == "entry[0].changes[0].value.messages[0].from");
    auto bad_messages = parse_error(R"({"entry":[{"changes":[{"value":{"messages":{}}}]}]})");
    BOOST_TEST(bad_messages.field == "entry[0].changes[0].value.messages");
}

BOOST_AUTO_TEST_CASE(signature_matches_metas_sample) {
    auto body = sample("text.json");
    auto sig = sample("text.json.sig");
    while (!sig.empty() && (sig.back() == '\n' || sig.back() == '\r')) sig.pop_back();
    BOOST_TEST(valid_signature("test-app-secret", body, sig));
    std::string upper = sig;
    for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
    BOOST_TEST(valid_signature("test-app-secret", body, upper));
    BOOST_TEST(!valid_signature("other-secret", body, sig));
    BOOST_TEST(!valid_signature("test-app-secret", body + " ", sig));
    BOOST_TEST(!valid_signature("test-app-secret", body, ""));
    BOOST_TEST(!valid_signature("test-app-secret", body, "sha256="));
    BOOST_TEST(!valid_signature("test-app-secret", body, sig.substr(7)));  // no prefix
}

BOOST_AUTO_TEST_CASE(retry_delays_double_up_to_the_cap_with_jitter) {
    using std::chrono::milliseconds;
    auto first = milliseconds(500), cap = milliseconds(8000);
    BOOST_TEST(retry_delay(1, first, cap, 1.0).count() == 500);
    BOOST_TEST(retry_delay(1, first, cap, 0.0).count() == 250);
    BOOST_TEST(retry_delay(2, first, cap, 1.0).count() == 1000);
    BOOST_TEST(retry_delay(4, first, cap, 1.0).count() == 4000);
    BOOST_TEST(retry_delay(5, first, cap, 1.0).count() == 8000);
    BOOST_TEST(retry_delay(60, first, cap, 1.0).count() == 8000);
}

BOOST_AUTO_TEST_SUITE_END()
