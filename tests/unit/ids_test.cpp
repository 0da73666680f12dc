#include "switchboard/core/ids.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>

namespace {
long long now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(ids)

// Message ids start with their creation time, so that they sort by it (and a
// new one goes to the end of the store's id index); the rest keeps them unique.
BOOST_AUTO_TEST_CASE(unique_ids_lead_with_their_time_and_do_not_repeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) {
        auto before = now_ms();
        auto id = switchboard::unique_id("msg_");
        auto after = now_ms();
        BOOST_TEST_REQUIRE(id.size() == 4 + 24);
        BOOST_TEST(id.rfind("msg_", 0) == 0);
        BOOST_TEST(id.find_first_not_of("0123456789abcdef", 4) == std::string::npos);
        auto at = std::stoll(id.substr(4, 12), nullptr, 16);
        BOOST_TEST(at >= before);
        BOOST_TEST(at <= after);
        BOOST_TEST(seen.insert(id).second);
    }
}

BOOST_AUTO_TEST_SUITE_END()
