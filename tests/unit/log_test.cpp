// The logger's repeated_problem: the first time at once, then a line at most
// each period with how many were held back, and one line when it stops.
#include "captured_stderr.hpp"
#include "switchboard/core/repeated_problem.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace log = switchboard::log;
using namespace std::chrono_literals;

namespace {

using switchboard::test::captured_stderr;

bool has(const std::string& line, const std::string& part) { return line.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(log_suite)

BOOST_AUTO_TEST_CASE(a_repeated_problem_is_logged_first_then_each_period_then_when_it_stops) {
    log::configure(log::level::info, log::format::text);
    captured_stderr err;
    log::repeated_problem p(log::level::error, "disk trouble", "disk fine again", 10s);
    auto t0 = log::repeated_problem::clock::now();
    p.stopped(t0);  // nothing was wrong: nothing to say
    p.occurred({{"error", "full"}}, t0);
    for (int i = 1; i <= 100; ++i) p.occurred({{"error", "full"}}, t0 + i * 90ms);  // up to 9 s
    p.occurred({{"error", "still full"}}, t0 + 10s);
    p.occurred({{"error", "full"}}, t0 + 11s);
    p.stopped(t0 + 12s);  // a small write that fits: the problem goes on
    p.occurred({{"error", "full"}}, t0 + 13s);
    p.stopped(t0 + 22s);  // not yet a period without it
    p.stopped(t0 + 23s);
    p.stopped(t0 + 24s);
    p.occurred({{"error", "full again"}}, t0 + 25s);

    auto lines = err.lines();
    BOOST_REQUIRE_EQUAL(lines.size(), 4u);
    BOOST_TEST(has(lines[0], "error disk trouble error=full\n"));
    BOOST_TEST(has(lines[1], "error disk trouble error=\"still full\" held_back=100\n"));
    BOOST_TEST(has(lines[2], "info disk fine again times=104 seconds=13.0\n"));  // first to last failure
    BOOST_TEST(has(lines[3], "error disk trouble error=\"full again\"\n"));  // a new spell: at once
}

BOOST_AUTO_TEST_SUITE_END()
