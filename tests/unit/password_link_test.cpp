// The mailed links that choose a password: what they hold, and that a link
// made for one account, purpose and time holds for no other.
#include "switchboard/auth/password_link.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace auth = switchboard::auth;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(password_links)

BOOST_AUTO_TEST_CASE(a_link_holds_for_its_account_purpose_and_time_only) {
    auto now = std::chrono::system_clock::now();
    auto expires = std::chrono::time_point_cast<std::chrono::seconds>(now + 1h);
    auto token = auth::make_password_link(auth::link_purpose::reset, "eve.smith-2", expires, "hash-one");
    auto link = auth::read_password_link(token);
    BOOST_TEST_REQUIRE(link.has_value());
    BOOST_TEST(link->username == "eve.smith-2");  // a username's dots do not confuse it
    BOOST_TEST((link->purpose == auth::link_purpose::reset));
    BOOST_TEST((link->expires == expires));
    BOOST_TEST(auth::password_link_holds(*link, "hash-one", now));
    BOOST_TEST(!auth::password_link_holds(*link, "hash-one", expires));  // expired at its time
    BOOST_TEST(!auth::password_link_holds(*link, "hash-two", now));      // the password changed

    auto other = *link;
    other.username = "eve";
    BOOST_TEST(!auth::password_link_holds(other, "hash-one", now));
    other = *link;
    other.purpose = auth::link_purpose::invitation;
    BOOST_TEST(!auth::password_link_holds(other, "hash-one", now));
    other = *link;
    other.expires += 1h;
    BOOST_TEST(!auth::password_link_holds(other, "hash-one", now));
}

BOOST_AUTO_TEST_CASE(what_is_not_shaped_as_a_link_reads_as_none) {
    auto mac = std::string(64, 'a');
    BOOST_TEST(auth::read_password_link("i.1700000000." + mac + ".lea").has_value());
    for (std::string bad : std::vector<std::string>{"", "r", "r.", "x.1700000000." + mac + ".lea", "r.17x." + mac + ".lea", "r.." + mac + ".lea",
                            "r.1700000000." + mac + ".", "r.1700000000." + mac, "r.1700000000.abc.lea"})
        BOOST_TEST(!auth::read_password_link(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(an_unusable_hash_is_never_the_same_twice) {
    auto a = auth::unusable_password_hash(), b = auth::unusable_password_hash();
    BOOST_TEST(a != b);
    BOOST_TEST(auth::is_unusable_password_hash(a));
    BOOST_TEST(!auth::is_unusable_password_hash("$argon2id$v=19$m=65536,t=2,p=1$abc$def"));
}

BOOST_AUTO_TEST_SUITE_END()
