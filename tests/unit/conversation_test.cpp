#include "switchboard/chat/conversation.hpp"
#include "switchboard/chat/filing_note.hpp"
#include "switchboard/core/time.hpp"

#include <boost/test/unit_test.hpp>

using namespace switchboard::chat;
using switchboard::timestamp;

BOOST_AUTO_TEST_SUITE(conversation_model)

BOOST_AUTO_TEST_CASE(status_never_goes_backwards) {
    using s = message_status;
    BOOST_TEST(status_may_advance(s::received, s::sent));
    BOOST_TEST(status_may_advance(s::sent, s::read));
    BOOST_TEST(status_may_advance(s::delivered, s::read));
    BOOST_TEST(!status_may_advance(s::read, s::sent));
    BOOST_TEST(!status_may_advance(s::read, s::delivered));
    BOOST_TEST(!status_may_advance(s::delivered, s::delivered));
    BOOST_TEST(status_may_advance(s::sent, s::failed));
    BOOST_TEST(!status_may_advance(s::read, s::failed));
    BOOST_TEST(!status_may_advance(s::failed, s::read));
}

BOOST_AUTO_TEST_CASE(phones_are_an_optional_plus_and_1_to_32_digits) {
    BOOST_TEST(normalize_phone("+15550001").value() == "15550001");
    BOOST_TEST(normalize_phone("15550001").value() == "15550001");
    BOOST_TEST(normalize_phone(std::string(32, '1')).has_value());
    for (auto bad : {"", "+", "++1", "1+1", "abc", "1 2", "-1"}) {
        BOOST_TEST_INFO(bad);
        BOOST_TEST(!normalize_phone(bad));
    }
    BOOST_TEST(!normalize_phone(std::string(33, '1')));
}

BOOST_AUTO_TEST_CASE(priorities_are_named_from_none_to_urgent) {
    using namespace switchboard::chat;
    for (auto p : {conv_priority::none, conv_priority::low, conv_priority::medium, conv_priority::high,
                   conv_priority::urgent})
        BOOST_TEST((conv_priority_from_string(to_string(p)) == p));
    BOOST_TEST(to_string(conv_priority::high) == "high");
    for (auto bad : {"", "Urgent", "critical", "1"}) BOOST_TEST(!conv_priority_from_string(bad));
}

BOOST_AUTO_TEST_CASE(labels_are_kept_as_typed_in_one_form) {
    using switchboard::chat::label_from;
    BOOST_TEST(label_from("billing").value() == "billing");
    BOOST_TEST(label_from("  VIP\tcustomer \n").value() == "vip-customer");
    BOOST_TEST(label_from("a  b").value() == "a-b");
    BOOST_TEST(label_from("follow_up-2").value() == "follow_up-2");
    BOOST_TEST(label_from(std::string(32, 'x')).has_value());
    for (auto bad : {"", "   ", "a/b", "café", "a,b", "#vip", "a.b"}) {
        BOOST_TEST_INFO(bad);
        BOOST_TEST(!label_from(bad));
    }
    BOOST_TEST(!label_from(std::string(33, 'x')));
}

// Attributes' keys take a label's form, with `_` where a label has `-`.
BOOST_AUTO_TEST_CASE(attribute_keys_are_kept_as_typed_in_one_form) {
    using switchboard::chat::attribute_key_from;
    BOOST_TEST(attribute_key_from("email").value() == "email");
    BOOST_TEST(attribute_key_from(" Order  id ").value() == "order_id");
    BOOST_TEST(attribute_key_from("plan-2").value() == "plan-2");
    for (auto bad : {"", "  ", "e-mail!", "país", "a.b"}) {
        BOOST_TEST_INFO(bad);
        BOOST_TEST(!attribute_key_from(bad));
    }
    BOOST_TEST(!attribute_key_from(std::string(33, 'k')));
}

BOOST_AUTO_TEST_CASE(utf8_is_counted_in_code_points) {
    BOOST_TEST(utf8_length("abc").value() == 3u);
    BOOST_TEST(utf8_length("héllo").value() == 5u);
    BOOST_TEST(utf8_length("💬").value() == 1u);
    BOOST_TEST(!utf8_length("\xff"));
    BOOST_TEST(!utf8_length("\xe2\x82"));
    BOOST_TEST(utf8_prefix("h💬llo", 2) == "h💬");
}

BOOST_AUTO_TEST_CASE(iso8601_round_trips_in_utc_with_z) {
    auto t = switchboard::from_unix_ms(1763900000123);
    auto s = switchboard::to_iso8601(t);
    BOOST_TEST(s == "2025-11-23T12:13:20.123Z");
    BOOST_TEST((switchboard::parse_iso8601(s).value() == t));
    BOOST_TEST((switchboard::parse_iso8601("2025-11-23T12:13:20Z").value() == switchboard::from_unix_ms(1763900000000)));
    BOOST_TEST(!switchboard::parse_iso8601("2025-11-23 12:13:20"));
    BOOST_TEST(!switchboard::parse_iso8601("2025-11-23T12:13:20+01:00"));
    // The same instant twice, another in between, one a millisecond on: each reads as itself.
    BOOST_TEST(switchboard::to_iso8601(t) == "2025-11-23T12:13:20.123Z");
    BOOST_TEST(switchboard::to_iso8601(switchboard::from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
    BOOST_TEST(switchboard::to_iso8601(switchboard::from_unix_ms(1763900000124)) == "2025-11-23T12:13:20.124Z");
    BOOST_TEST(switchboard::to_iso8601(t) == "2025-11-23T12:13:20.123Z");
    BOOST_TEST(switchboard::to_iso8601(switchboard::from_unix_ms(1000)) == "1970-01-01T00:00:01.000Z");
    BOOST_TEST(switchboard::to_iso8601(switchboard::from_unix_ms(1763900000124)) == "2025-11-23T12:13:20.124Z");
    BOOST_TEST(switchboard::to_iso8601(switchboard::from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
    for (auto st : {conv_state::idle, conv_state::registering, conv_state::chat_support_active, conv_state::rating})
        BOOST_TEST((conv_state_from_string(to_string(st)).value() == st));
    BOOST_TEST(to_string(conv_state::chat_support_active) == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(!conv_state_from_string("idle"));
}

// A conversation's open chat is shared between copies until one changes
// it: a step's edit must never show through the state it was copied from
// (readers off the strand hold that state), and a copy never made to change
// stays the same object.
BOOST_AUTO_TEST_CASE(open_chat_is_copied_only_when_a_copy_changes_it) {
    conversation state;
    BOOST_TEST(!state.chat);
    state.chat = chat_record{"T-1", "15550001", {}, "user"};
    conversation step = state;
    BOOST_TEST(&*step.chat == &*state.chat);  // shared, not copied
    step.chat.edit().agent = "ana";
    BOOST_TEST(step.chat->agent == "ana");
    BOOST_TEST(state.chat->agent.empty());  // the state it came from is untouched
    BOOST_TEST(&*step.chat != &*state.chat);
    const auto* own = &*step.chat;
    step.chat.edit().close_reason = "agent";  // the only holder now: changed in place
    BOOST_TEST(&*step.chat == own);
    step.chat.reset();
    BOOST_TEST(!step.chat);
    BOOST_TEST(state.chat->ticket_id == "T-1");
}

// The history's line for a filing names each change once, in words, and
// who made it; several in one change are one line.
BOOST_AUTO_TEST_CASE(a_filing_is_told_in_words) {
    conversation was, now;
    BOOST_TEST(filing_note(was, now, "ada").empty());
    now.labels = {"a", "b", "c"};
    BOOST_TEST(filing_note(was, now, "ada") == "Labels a, b and c added by ada");
    was = now;
    now.labels = {"b", "d"};
    now.priority = conv_priority::high;
    now.team = "sales";
    BOOST_TEST(filing_note(was, now, "ada") ==
               "Labels d added, a and c removed; priority set to high; filed under the team sales by ada");
    was = now;
    now.team = "billing";
    BOOST_TEST(filing_note(was, now, "automation") == "Moved from the team sales to billing by automation");
    was = now;
    now.attributes = {{"plan", "pro"}};  // details are not filing
    now.participants = {"ada"};
    BOOST_TEST(filing_note(was, now, "ada").empty());
}

BOOST_AUTO_TEST_SUITE_END()

#include "switchboard/chat/bot.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/core/json_text.hpp"
#include "switchboard/events/event.hpp"
#include "../../src/core/string_map.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <limits>
#include <set>

BOOST_AUTO_TEST_SUITE(event_json)

// Every ASCII byte, and UTF-8 around escapes, reads back as written.
BOOST_AUTO_TEST_CASE(json_strings_round_trip) {
    std::string all;
    for (int c = 1; c < 0x80; ++c) all += static_cast<char>(c);
    for (std::string s : {all, std::string("plain"), std::string(), std::string("\"💬\\\n"), std::string("end\x01")}) {
        std::string out = "x";
        switchboard::append_json_string(out, s);
        BOOST_TEST(out.front() == 'x');
        BOOST_TEST(boost::json::parse(out.substr(1)).as_string() == s);
    }
}

// Strings are checked whole words at a time, the last word overlapping:
// a byte that needs escaping is found at every length and every position,
// next to UTF-8 bytes that must pass through.
BOOST_AUTO_TEST_CASE(json_strings_escape_at_every_position) {
    for (std::size_t len = 1; len <= 40; ++len)
        for (std::size_t pos = 0; pos < len; ++pos)
            for (char special : {'"', '\\', '\n', '\x1f', '\x01'}) {
                std::string s(len, 'a');
                for (std::size_t i = 0; i < len; i += 3) s[i] = '\xc3';  // not valid UTF-8 alone, and not escaped
                s[pos] = special;
                std::string out;
                switchboard::append_json_string(out, s);
                // Exactly the one escape: two bytes for the short forms, six for \u00XX.
                std::size_t extra = special == '\x1f' || special == '\x01' ? 5 : 1;
                BOOST_TEST(out.size() == s.size() + 2 + extra, "length " << len << ", position " << pos);
            }
}

// The maps' and shards' hash: no collisions among 200,000 phone-like and
// key-like strings of every length from 0 to 40, and the low and the high
// bits spread evenly over 16 shards.
BOOST_AUTO_TEST_CASE(string_hash_spreads_and_does_not_collide) {
    std::set<std::uint64_t> seen;
    std::array<int, 16> low{}, high{};
    std::size_t count = 0;
    for (int i = 0; i < 100000; ++i) {
        for (std::string s : {"1555" + std::to_string(i), "plain:m-" + std::to_string(i * 7919)}) {
            auto h = switchboard::hash_string(s);
            seen.insert(h);
            ++low[h % 16];
            ++high[(h >> 48) % 16];
            ++count;
        }
    }
    std::string grow;
    for (int len = 0; len <= 40; ++len, grow += static_cast<char>('a' + len % 26)) {
        seen.insert(switchboard::hash_string(grow));
        ++count;
    }
    BOOST_TEST(seen.size() == count);
    for (int shard = 0; shard < 16; ++shard) {
        BOOST_TEST(low[shard] > 11500);  // 12,500 each if even
        BOOST_TEST(low[shard] < 13500);
        BOOST_TEST(high[shard] > 11500);
        BOOST_TEST(high[shard] < 13500);
    }
    BOOST_TEST(switchboard::hash_string("abc") != switchboard::hash_string("abd"));
    BOOST_TEST(switchboard::hash_string("12345678") != switchboard::hash_string("123456789"));
}

BOOST_AUTO_TEST_CASE(webhook_answer_lists_replies_and_state) {
    auto v = boost::json::parse(webhook_answer({"Hi \"Zoë\"!", "line\nbreak"}, nullptr, conv_state::registering));
    BOOST_TEST(v == boost::json::parse(R"({"replies":[{"text":"Hi \"Zoë\"!"},{"text":"line\nbreak"}],"state":"REGISTERING"})"));
    BOOST_TEST(boost::json::parse(webhook_answer({}, nullptr, conv_state::idle)) == boost::json::parse(R"({"replies":[],"state":"IDLE"})"));
    // The keywords to tap go with the last reply.
    bot_offer_set offers{bot_texts{}};
    conversation stranger;
    auto* menu = offers.after(bot_decision{}, stranger);
    BOOST_TEST(boost::json::parse(webhook_answer({"Thanks!", "Welcome!"}, menu, conv_state::idle)) ==
               boost::json::parse(R"({"replies":[{"text":"Thanks!"},{"text":"Welcome!","choices":[)"
                                  R"({"text":"support","title":"Support"},{"text":"register","title":"Register"}]}],"state":"IDLE"})"));
}

namespace {

// An agent's message, and a conversation in a chat with every field set:
// `text` and `name` decide whether anything needs escaping.
message agent_message(std::string text) {
    message m;
    m.id = "msg_1";
    m.phone = "15550001";
    m.seq = 7;
    m.from = sender::admin;
    m.agent = "bob";
    m.text = std::move(text);
    m.kind = "text";
    m.at = switchboard::from_unix_ms(1763900000123);
    m.status = message_status::delivered;
    m.client_id = "c-1";
    return m;
}

conversation conversation_in_chat(std::string name, std::string last_message) {
    conversation c;
    c.phone = "15550001";
    c.name = std::move(name);
    c.registered = true;
    c.state = conv_state::chat_support_active;
    c.in_chat_support = c.chat_support_active = true;
    c.chat_start_time = switchboard::from_unix_ms(1763900000000);
    c.support_ticket_id = "t_1";
    c.queued_at = switchboard::from_unix_ms(1763900000001);
    c.unread = 3;
    c.undelivered = 1;
    c.last_seq = 9;
    c.last_message = std::move(last_message);
    c.last_message_kind = "rating";
    c.last_message_seq = 8;
    c.labels = {"billing", "vip-customer"};
    c.participants = {"lea", "max.b"};
    c.created_at = switchboard::from_unix_ms(1);
    c.updated_at = switchboard::from_unix_ms(2);
    return c;
}

}  // namespace

// The hand-written event serializers must say exactly what to_json says.
BOOST_AUTO_TEST_CASE(hand_written_json_equals_to_json) {
    auto m = agent_message("quote \" backslash \\ newline \n tab \t bell \x07 emoji 💬 <b>");
    BOOST_TEST(boost::json::parse(message_json(m)) == boost::json::value(to_json(m)));
    m.agent.clear();
    m.client_id.clear();
    BOOST_TEST(boost::json::parse(message_json(m)) == boost::json::value(to_json(m)));
    m.status = message_status::failed;
    m.error = "HTTP 400: \"bad\"\n💬";
    BOOST_TEST(boost::json::parse(message_json(m)) == boost::json::value(to_json(m)));
    BOOST_TEST(boost::json::parse(message_json(m)).at("error").as_string() == m.error);
    m.media = switchboard::chat::attachment{"1479537139650973", "application/pdf", "invoice \"7\"\\März.pdf"};
    BOOST_TEST(boost::json::parse(message_json(m)) == boost::json::value(to_json(m)));
    BOOST_TEST(!boost::json::parse(message_json(m)).as_object().contains("reply_to"));  // none: left out
    m.reply_to = 3;
    BOOST_TEST(boost::json::parse(message_json(m)) == boost::json::value(to_json(m)));
    m.choices = switchboard::chat::kept_choices(R"([{"text":"support","title":"Support"}])");  // beside text that needs escaping
    BOOST_TEST(boost::json::parse(message_json(m)) == boost::json::value(to_json(m)));
    BOOST_TEST(boost::json::parse(message_json(m)).at("choices").at(0).at("text").as_string() == "support");
    auto attachment = boost::json::parse(message_json(m)).at("attachment");
    BOOST_TEST(attachment.at("filename").as_string() == m.media->filename);
    BOOST_TEST(attachment.at("url").as_string() == "/conversations/" + m.phone + "/messages/" + std::to_string(m.seq) + "/media");
    BOOST_TEST(!attachment.as_object().contains("media_id"));  // the provider's, not the client's

    auto c = conversation_in_chat("Zoë \"Z\"", "last\nline");
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)) == boost::json::value(to_json(c, 2)));
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("last_message").at("type").as_string() == "rating");
    BOOST_TEST(boost::json::serialize(boost::json::parse(conversation_json(c, 2)).at("labels")) == R"(["billing","vip-customer"])");
    BOOST_TEST(boost::json::serialize(boost::json::parse(conversation_json(c, 2)).at("participants")) == R"(["lea","max.b"])");
    BOOST_TEST(boost::json::parse(conversation_json(c, std::nullopt)) == boost::json::value(to_json(c, std::nullopt)));
    c.attributes = {{"email", "zoë@example.com"}, {"note", "said \"hi\" \\ then\tleft 💬"}};
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)) == boost::json::value(to_json(c, 2)));
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("attributes").at("note").as_string() == c.attributes[1].second);
    c.snoozed_until = switchboard::from_unix_ms(1796461200000);
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)) == boost::json::value(to_json(c, 2)));
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("snoozed_until").as_string() == "2026-12-05T09:00:00.000Z");
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("waiting_since").is_null());  // no chat record
    c.chat = switchboard::chat::chat_record{"t_1", c.phone, switchboard::from_unix_ms(1)};
    c.chat.edit().waiting_since = switchboard::from_unix_ms(1796457600000);
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)) == boost::json::value(to_json(c, 2)));
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("waiting_since").as_string() == "2026-12-05T08:00:00.000Z");
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("first_reply_at").is_null());
    c.chat.edit().first_response_at = switchboard::from_unix_ms(1796457000000);
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)) == boost::json::value(to_json(c, 2)));
    BOOST_TEST(boost::json::parse(conversation_json(c, 2)).at("first_reply_at").as_string() == "2026-12-05T07:50:00.000Z");
    conversation empty;
    empty.phone = "1";
    BOOST_TEST(boost::json::parse(conversation_json(empty, std::nullopt)) == boost::json::value(to_json(empty, std::nullopt)));
}

// Records with nothing to escape are sized first and written into room made
// for them: byte for byte what boost::json writes, at every number width.
BOOST_AUTO_TEST_CASE(records_with_nothing_to_escape_are_written_exactly) {
    auto m = agent_message("plain text, emoji 💬 and <b>");
    m.kind = "image";
    auto c = conversation_in_chat("Zoë", "plain text");
    c.assignee = "bob";
    c.via = channel::whatsapp;
    c.last_sender = sender::bot;

    for (std::uint64_t n : {std::uint64_t{0}, std::uint64_t{9}, std::uint64_t{10}, std::uint64_t{99},
                            std::uint64_t{100}, std::uint64_t{4294967295}, std::numeric_limits<std::uint64_t>::max()}) {
        m.seq = n;
        c.last_seq = n;
        c.unread = static_cast<std::uint32_t>(n);
        BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
        BOOST_TEST(message_json_size(m) == message_json(m).size());
        BOOST_TEST(conversation_json(c, n) == boost::json::serialize(to_json(c, n)));
        BOOST_TEST(conversation_json_size(c, n) == conversation_json(c, n).size());
        BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    }
    m.agent.clear();
    m.client_id.clear();
    BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
    c.labels = {"one"};
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    c.labels.clear();
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    c.participants.clear();
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    BOOST_TEST(boost::json::serialize(boost::json::parse(conversation_json(c, std::nullopt)).at("participants")) == "[]");
    c.blocked = true;
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    BOOST_TEST(boost::json::parse(conversation_json(c, std::nullopt)).at("blocked").as_bool());
    BOOST_TEST(boost::json::parse(conversation_json(c, std::nullopt)).at("priority").as_string() == "none");
    c.priority = switchboard::chat::conv_priority::urgent;
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    BOOST_TEST(boost::json::parse(conversation_json(c, std::nullopt)).at("priority").as_string() == "urgent");
    BOOST_TEST(boost::json::parse(conversation_json(c, std::nullopt)).at("team").is_null());
    c.team = "billing";
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    BOOST_TEST(boost::json::parse(conversation_json(c, std::nullopt)).at("team").as_string() == "billing");
    c.attributes = {{"company", "Acme"}, {"email", "ana@example.com"}};
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    BOOST_TEST(boost::json::serialize(boost::json::parse(conversation_json(c, std::nullopt)).at("attributes")) ==
               R"({"company":"Acme","email":"ana@example.com"})");
    c.chat = switchboard::chat::chat_record{"t_1", c.phone, switchboard::from_unix_ms(1)};
    c.chat.edit().waiting_since = switchboard::from_unix_ms(1796457600000);
    c.chat.edit().first_response_at = switchboard::from_unix_ms(1796457000000);
    BOOST_TEST(conversation_json(c, std::nullopt) == boost::json::serialize(to_json(c, std::nullopt)));
    BOOST_TEST(conversation_json_size(c, std::nullopt) == conversation_json(c, std::nullopt).size());
    m.error = "HTTP 503: down for maintenance";
    BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
    BOOST_TEST(message_json_size(m) == message_json(m).size());
    m.media = switchboard::chat::attachment{"1479537139650973", "image/jpeg", ""};
    BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
    BOOST_TEST(message_json_size(m) == message_json(m).size());
    m.media->filename = "scan.pdf";
    BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
    BOOST_TEST(message_json_size(m) == message_json(m).size());
    m.reply_to = 12;  // a quote
    BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
    BOOST_TEST(message_json_size(m) == message_json(m).size());
    BOOST_TEST(boost::json::parse(message_json(m)).at("reply_to").as_int64() == 12);
    BOOST_TEST(!boost::json::parse(message_json(m)).as_object().contains("choices"));  // none: left out
    m.choices = switchboard::chat::kept_choices(R"([{"text":"support","title":"Hablar \"ya\" 💬"},{"text":"1","title":"1 ★"}])");
    BOOST_TEST(message_json(m) == boost::json::serialize(to_json(m)));
    BOOST_TEST(message_json_size(m) == message_json(m).size());
    BOOST_TEST(boost::json::parse(message_json(m)).at("choices").at(0).at("title").as_string() == "Hablar \"ya\" 💬");
    // Appended after what the string held already.
    std::string out = "[";
    append_message_json(out, m);
    BOOST_TEST(out == "[" + boost::json::serialize(to_json(m)));
}

// An envelope written before its seq, then numbered, is SPEC §5's shape
// with the seq first, for one-digit to twenty-digit seqs.
BOOST_AUTO_TEST_CASE(envelopes_are_numbered_in_place_whatever_seq_their_room_was_fitted_for) {
    auto at = switchboard::from_unix_ms(1763900000123);
    for (std::uint64_t seq : {std::uint64_t{0}, std::uint64_t{7}, std::uint64_t{123456789},
                              std::numeric_limits<std::uint64_t>::max()}) {
        std::string text;
        switchboard::events::begin_envelope(text, "message.created", "15550001");
        text += R"({"k":"v \"q\""})";
        switchboard::events::end_envelope(text, at);
        BOOST_TEST(text.size() == switchboard::events::envelope_size("message.created", "15550001") +
                                      std::string_view(R"({"k":"v \"q\""})").size());
        switchboard::events::number_envelope(text, seq);
        auto expected = R"({"seq":)" + std::to_string(seq) +
                        R"(,"type":"message.created","conversation":"15550001","data":{"k":"v \"q\""},"at":"2025-11-23T12:13:20.123Z"})";
        BOOST_TEST(text == expected);

        // Fitted first for a seq with fewer, the same or more digits (the
        // hub guesses before its lock), then numbered: the same text.
        for (std::uint64_t guess : {std::uint64_t{1}, seq, std::numeric_limits<std::uint64_t>::max()}) {
            std::string fitted;
            switchboard::events::begin_envelope(fitted, "message.created", "15550001");
            fitted += R"({"k":"v \"q\""})";
            switchboard::events::end_envelope(fitted, at);
            switchboard::events::fit_envelope_room(fitted, guess);
            switchboard::events::number_envelope(fitted, seq);
            BOOST_TEST(fitted == expected, "fitted for " << guess << ", numbered " << seq);
        }

        switchboard::events::event e{"chat.queued", "15550001", {{"position", 2}}, at, {}};
        BOOST_TEST(boost::json::parse(switchboard::events::envelope(seq, e)) ==
                   boost::json::parse(R"({"seq":)" + std::to_string(seq) +
                                      R"(,"type":"chat.queued","conversation":"15550001","data":{"position":2},"at":"2025-11-23T12:13:20.123Z"})"));
    }
}

// A deleted note's message.created, rewritten: its data becomes the note as
// it is now, the rest of the envelope as it was; events whose data is
// another record (another id, one that starts like it, no id) stay.
BOOST_AUTO_TEST_CASE(an_envelope_carrying_a_record_is_rewritten_with_it_alone) {
    namespace events = switchboard::events;
    auto at = switchboard::from_unix_ms(1763900000123);
    auto numbered = [&](std::string_view type, std::string_view data) {
        std::string text;
        events::begin_envelope(text, type, "15550001");
        text += data;
        events::end_envelope(text, at);
        events::number_envelope(text, 42);
        return text;
    };
    auto note = agent_message("door code 7731");
    note.kind = "note";
    std::string before, after;
    append_message_json(before, note);
    note.text.clear();
    append_message_json(after, note);
    events::data_rewrite r{note.id, note.at, after};

    events::envelope_rewriter rewrite(r);
    auto rewritten = rewrite(numbered("message.created", before));
    BOOST_TEST_REQUIRE(rewritten.has_value());
    BOOST_TEST(*rewritten == numbered("message.created", after));
    BOOST_TEST(boost::json::parse(*rewritten).at("data").at("deleted").as_bool());
    for (auto other : {std::string(R"({"id":"msg_10","text":"door code 7731"})"), std::string(R"({"phone":"msg_1"})"),
                       std::string(R"({"text":"{\"id\":\"msg_1\""})")})
        BOOST_TEST(!rewrite(numbered("message.created", other)).has_value(), other);
    BOOST_TEST(!rewrite("not an envelope").has_value());
}

// An erased user's events, up to the erasure, become placeholders of their
// seq and time alone; the erasure's own announcement, another user's (a
// phone that begins or ends like theirs), and what came after stay.
BOOST_AUTO_TEST_CASE(an_erased_users_envelopes_become_placeholders_and_no_others) {
    namespace events = switchboard::events;
    auto at = switchboard::from_unix_ms(1763900000123);
    auto numbered = [&](std::uint64_t seq, std::string_view type, std::string_view phone) {
        std::string text;
        events::begin_envelope(text, type, phone);
        text += R"({"phone":"15550001","text":"order 4242"})";
        events::end_envelope(text, at);
        events::number_envelope(text, seq);
        return text;
    };
    events::envelope_eraser erase;
    erase.add({"15550001", 50});
    erase.add({"15550009", 60});
    auto placeholder = erase(42, numbered(42, "message.created", "15550001"));
    BOOST_TEST_REQUIRE(placeholder.has_value());
    BOOST_TEST(*placeholder == R"({"seq":42,"type":"erased","conversation":"","data":{},"at":"2025-11-23T12:13:20.123Z"})");
    BOOST_TEST(boost::json::parse(*placeholder).at("type").as_string() == events::erased_event_type);
    BOOST_TEST(erase(50, numbered(50, "chat.queued", "15550001")).has_value());
    BOOST_TEST(erase(55, numbered(55, "chat.queued", "15550009")).has_value());
    BOOST_TEST(!erase(51, numbered(51, "message.created", "15550001")).has_value());  // the new conversation's
    BOOST_TEST(!erase(50, numbered(50, "conversation.deleted", "15550001")).has_value());
    for (auto other : {"155500011", "1555000", "15550002", ""})
        BOOST_TEST(!erase(42, numbered(42, "message.created", other)).has_value(), other);
    BOOST_TEST(!erase(42, *placeholder).has_value());
    BOOST_TEST(!erase(42, "not an envelope").has_value());
    BOOST_TEST(events::envelope_eraser().empty());
}

BOOST_AUTO_TEST_SUITE_END()
