// The CSV reader that contact imports read a sheet with: what spreadsheets
// and CRMs write (quotes, CRLF, a byte order mark, semicolons), and where
// a broken file is refused.
#include "../../src/api/csv_reader.hpp"

#include <boost/test/unit_test.hpp>

using switchboard::api::csv_error;
using switchboard::api::read_csv;

namespace {

using fields = std::vector<std::string>;

std::size_t line_of_error(std::string_view text) {
    try {
        read_csv(text);
    } catch (const csv_error& e) {
        return e.line;
    }
    return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(reads_quoted_fields_crlf_and_a_byte_order_mark) {
    auto records = read_csv("\xEF\xBB\xBFphone,name,notes\r\n"
                            "1555,\"Lima, Ana\",\"said \"\"hi\"\"\"\r\n"
                            "\r\n"
                            "1556,,\"two\nlines\"\r\n"
                            "1557,Bo,");
    BOOST_TEST_REQUIRE(records.size() == 4u);
    BOOST_TEST(records[0].fields == (fields{"phone", "name", "notes"}));
    BOOST_TEST(records[1].fields == (fields{"1555", "Lima, Ana", "said \"hi\""}));
    BOOST_TEST(records[2].fields == (fields{"1556", "", "two\nlines"}));
    BOOST_TEST(records[3].fields == (fields{"1557", "Bo", ""}));
    // Each by the line it starts on: the blank line counts, the quoted newline too.
    BOOST_TEST(records[1].line == 2u);
    BOOST_TEST(records[2].line == 4u);
    BOOST_TEST(records[3].line == 6u);
}

BOOST_AUTO_TEST_CASE(reads_semicolons_where_the_first_line_has_no_comma) {
    auto records = read_csv("phone;name\n1555;Ana, Lima\n");
    BOOST_TEST_REQUIRE(records.size() == 2u);
    BOOST_TEST(records[1].fields == (fields{"1555", "Ana, Lima"}));
    BOOST_TEST(read_csv("phone,name;x\n1;2\n")[1].fields == (fields{"1;2"}));
}

BOOST_AUTO_TEST_CASE(refuses_a_quote_that_never_closes_or_text_after_one) {
    BOOST_TEST(line_of_error("phone,name\n1555,\"Ana\n1556,Bo\n") == 2u);
    BOOST_TEST(line_of_error("phone,name\n1555,\"Ana\"x\n") == 2u);
    BOOST_TEST(line_of_error("phone,name\n1555,Ana \"the\" first\n") == 0u);  // a quote inside a bare field is text
    BOOST_TEST(read_csv("").empty());
    BOOST_TEST(read_csv("\n\n").empty());
}

BOOST_AUTO_TEST_SUITE_END()
