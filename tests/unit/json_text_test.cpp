#include "switchboard/core/json_text.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <limits>

namespace json = boost::json;
using switchboard::json_text;

BOOST_AUTO_TEST_SUITE(json_text_suite)

// Fractions come out as people write them; Boost.JSON's own serializer
// writes 4.5E0 and 2E1 for the same values.
BOOST_AUTO_TEST_CASE(numbers_with_a_fraction_are_written_as_people_write_them) {
    BOOST_TEST(json_text(json::value(4.5)) == "4.5");
    BOOST_TEST(json_text(json::value(20.0)) == "20");
    BOOST_TEST(json_text(json::value(3.67)) == "3.67");
    BOOST_TEST(json_text(json::value(0.001)) == "0.001");
    BOOST_TEST(json_text(json::value(-2.25)) == "-2.25");
    BOOST_TEST(json_text(json::value(100000.0)) == "100000");  // not 1e+05, though shorter
    BOOST_TEST(json_text(json::value(0.000123)) == "0.000123");
    BOOST_TEST(json_text(json::value(0.0)) == "0");
    BOOST_TEST(json_text(json::value(1e-7)) == "1e-07");
    BOOST_TEST(json_text(json::value(1e300)) == "1e+300");
    BOOST_TEST(json_text(json::value(std::numeric_limits<double>::quiet_NaN())) == "null");
    BOOST_TEST(json_text(json::value(std::numeric_limits<double>::infinity())) == "null");
    for (double d : {4.5, 3.67, 0.1, 1.0 / 3, 123456.789, 1e-7, 1e300, 9007199254740993.0, 1e16, -1.5e-6, 1e-6})
        BOOST_TEST(json::parse(json_text(json::value(d))).to_number<double>() == d);  // reads back the same
}

// Everything but doubles as Boost.JSON writes it: strings escaped, order kept.
BOOST_AUTO_TEST_CASE(everything_else_as_boost_json_writes_it) {
    json::value v = {{"text", "a \"quote\", a \\ and a\nnewline \x01 and ✓"},
                     {"n", -7},
                     {"big", std::numeric_limits<std::uint64_t>::max()},
                     {"yes", true},
                     {"no", false},
                     {"none", nullptr},
                     {"list", json::array{1, "two", json::object{}, json::array{}}},
                     {"nested", {{"k", "v"}}}};
    BOOST_TEST(json_text(v) == json::serialize(v));
}

BOOST_AUTO_TEST_SUITE_END()
