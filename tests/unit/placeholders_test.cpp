// A macro's reply filled in as the console fills a saved reply.
#include "../../src/api/conversation_command.hpp"

#include <boost/test/unit_test.hpp>

using switchboard::api::fill_placeholders;

BOOST_AUTO_TEST_SUITE(placeholders)

BOOST_AUTO_TEST_CASE(the_users_and_the_agents_names_fill_a_reply) {
    BOOST_TEST(fill_placeholders("Hi {first_name}, {agent} here. {name}?", "Ana María López", "Bob") ==
               "Hi Ana, Bob here. Ana María López?");
    BOOST_TEST(fill_placeholders("{first_name}{name}", "Zoë", "") == "ZoëZoë");
}

BOOST_AUTO_TEST_CASE(a_user_the_bot_has_no_name_for_is_there) {
    BOOST_TEST(fill_placeholders("Hi {first_name}! Dear {name},", "", "Bob") == "Hi there! Dear there,");
}

BOOST_AUTO_TEST_CASE(anything_else_stays_as_written) {
    BOOST_TEST(fill_placeholders("Order {order_id} {Name} {agent", "Ana", "Bob") == "Order {order_id} {Name} {agent");
    BOOST_TEST(fill_placeholders("", "Ana", "Bob") == "");
    BOOST_TEST(fill_placeholders("{{agent}}", "Ana", "Bob") == "{Bob}");
}

BOOST_AUTO_TEST_SUITE_END()
