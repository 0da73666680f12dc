#include "switchboard/chat/conversation.hpp"
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
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
    for (auto st : {conv_state::idle, conv_state::registering, conv_state::chat_support_active, conv_state::rating})
        BOOST_TEST((conv_state_from_string(to_string(st)).value() == st));
    BOOST_TEST(to_string(conv_state::chat_support_active) == "CHAT_SUPPORT_ACTIVE");
    BOOST_TEST(!conv_state_from_string("idle"));
}

BOOST_AUTO_TEST_SUITE_END()
