// Which agents a note names: as the console's `mentions` reads it.
#include "switchboard/notify/notification_center.hpp"

#include <boost/test/unit_test.hpp>

using switchboard::notify::mentioned_names;
using names = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(notification_mentions)

BOOST_AUTO_TEST_CASE(a_name_after_an_at_sign_on_its_own) {
    BOOST_TEST((mentioned_names("@bob can you look?") == names{"bob"}));
    BOOST_TEST((mentioned_names("ask (@Carol_1) or @d.e-f") == names{"carol_1", "d.e-f"}));
    BOOST_TEST((mentioned_names("thanks @bob.") == names{"bob"}));        // the sentence ends
    BOOST_TEST((mentioned_names("thanks @bob...") == names{"bob"}));
    BOOST_TEST((mentioned_names("@bob @BOB, @bob") == names{"bob"}));     // each once
    BOOST_TEST((mentioned_names("@ann\n@bob") == names{"ann", "bob"}));  // in the order written
}

BOOST_AUTO_TEST_CASE(no_name_inside_an_address_or_a_word) {
    BOOST_TEST(mentioned_names("mail eve@example.com").empty());
    BOOST_TEST(mentioned_names("@eve@example.com").empty());
    BOOST_TEST(mentioned_names("a@@bob").empty());
    BOOST_TEST(mentioned_names("x.@bob").empty());
    BOOST_TEST(mentioned_names("@ alone, and @").empty());
    BOOST_TEST(mentioned_names("@.").empty());
}

BOOST_AUTO_TEST_SUITE_END()
