// Two-factor authentication's codes against the RFCs' own test vectors, and
// the QR code's structure (a browser test scans it).
#include "switchboard/auth/qr_svg.hpp"
#include "switchboard/auth/two_factor.hpp"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>

namespace tf = switchboard::auth::two_factor;

BOOST_AUTO_TEST_SUITE(two_factor_codes)

// RFC 4648 §10.
BOOST_AUTO_TEST_CASE(base32_as_rfc_4648_writes_it) {
    std::vector<std::pair<std::string, std::string>> vectors{{"", ""},           {"f", "MY"},
                                                             {"fo", "MZXQ"},     {"foo", "MZXW6"},
                                                             {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"},
                                                             {"foobar", "MZXW6YTBOI"}};
    for (auto& [plain, encoded] : vectors) {
        BOOST_TEST(tf::base32_encode(plain) == encoded);
        BOOST_TEST(tf::base32_decode(encoded).value() == plain);
    }
    BOOST_TEST(tf::base32_decode("mzxw 6ytb oi======").value() == "foobar");  // as a person types it
    BOOST_TEST(!tf::base32_decode("MZXW1YTB"));                               // 1 is not base32
    auto secret = tf::new_secret();
    BOOST_TEST(secret.size() == 32u);  // 160 bits
    BOOST_TEST(tf::base32_decode(secret).value().size() == 20u);
    BOOST_TEST(tf::new_secret() != secret);
}

// RFC 4226 Appendix D (HOTP) and RFC 6238 Appendix B (TOTP, SHA-1, eight digits).
BOOST_AUTO_TEST_CASE(codes_as_the_rfcs_make_them) {
    const std::string key = "12345678901234567890";
    std::vector<std::string> hotp{"755224", "287082", "359152", "969429", "338314",
                                  "254676", "287922", "162583", "399871", "520489"};
    for (std::uint64_t counter = 0; counter < hotp.size(); ++counter)
        BOOST_TEST(tf::hotp(key, counter) == hotp[counter]);
    std::vector<std::pair<std::int64_t, std::string>> totp{{59, "94287082"},         {1111111109, "07081804"},
                                                           {1111111111, "14050471"}, {1234567890, "89005924"},
                                                           {2000000000, "69279037"}, {20000000000, "65353130"}};
    for (auto& [unix_seconds, code] : totp)
        BOOST_TEST(tf::hotp(key, static_cast<std::uint64_t>(unix_seconds / 30), 8) == code);
    // The system clock's nanoseconds reach to 2262, short of the last vector's year 2603.
    auto at = [](std::int64_t s) { return std::chrono::system_clock::time_point(std::chrono::seconds(s)); };
    BOOST_TEST(tf::step_at(at(59)) == 1);
    BOOST_TEST(tf::step_at(at(1111111109)) == 37037036);
    BOOST_TEST(tf::step_at(at(2000000000)) == 66666666);
}

// A code from one step either side of the server's clock, only after the
// last one used, typed with the app's space or without.
BOOST_AUTO_TEST_CASE(a_code_matches_within_a_step_and_once) {
    auto secret = tf::base32_encode("12345678901234567890");
    const std::int64_t now = 1000;
    auto code_at = [&](std::int64_t step) { return tf::hotp("12345678901234567890", static_cast<std::uint64_t>(step)); };
    BOOST_TEST(tf::matching_step(secret, code_at(now), now, 0).value() == now);
    BOOST_TEST(tf::matching_step(secret, code_at(now - 1), now, 0).value() == now - 1);
    BOOST_TEST(tf::matching_step(secret, code_at(now + 1), now, 0).value() == now + 1);
    BOOST_TEST(!tf::matching_step(secret, code_at(now - 2), now, 0));
    BOOST_TEST(!tf::matching_step(secret, code_at(now + 2), now, 0));
    BOOST_TEST(!tf::matching_step(secret, code_at(now), now, now));      // used
    BOOST_TEST(!tf::matching_step(secret, code_at(now), now, now + 1));  // a later one was used
    auto spaced = code_at(now).substr(0, 3) + " " + code_at(now).substr(3);
    BOOST_TEST(tf::matching_step(secret, spaced, now, 0).value() == now);
    BOOST_TEST(!tf::matching_step(secret, code_at(now).substr(0, 5), now, 0));
    BOOST_TEST(!tf::matching_step(secret, code_at(now) + "0", now, 0));
    BOOST_TEST(!tf::matching_step(secret, "12a456", now, 0));
    BOOST_TEST(tf::looks_like_totp("123 456"));
    BOOST_TEST(!tf::looks_like_totp("abcde-fghij"));
}

BOOST_AUTO_TEST_CASE(recovery_codes_are_ten_and_match_however_typed) {
    auto codes = tf::new_recovery_codes();
    BOOST_TEST(codes.size() == 10u);
    std::set<std::string> distinct(codes.begin(), codes.end());
    BOOST_TEST(distinct.size() == 10u);
    for (auto& c : codes) BOOST_TEST(std::regex_match(c, std::regex("[a-z2-7]{5}-[a-z2-7]{5}")), c);
    BOOST_TEST(tf::recovery_code_hash("ABCDE-FGHIJ") == tf::recovery_code_hash("abcdefghij"));
    BOOST_TEST(tf::recovery_code_hash("abcde fghij") == tf::recovery_code_hash("abcdefghij"));
    BOOST_TEST(tf::recovery_code_hash("abcde-fghik") != tf::recovery_code_hash("abcdefghij"));
}

BOOST_AUTO_TEST_CASE(the_uri_an_app_scans) {
    BOOST_TEST(tf::otpauth_uri("Switchboard", "lea.k", "JBSWY3DPEHPK3PXP") ==
               "otpauth://totp/Switchboard:lea.k?secret=JBSWY3DPEHPK3PXP&issuer=Switchboard&algorithm=SHA1&digits=6"
               "&period=30");
    BOOST_TEST(tf::otpauth_uri("Acme Support", "lea", "A") ==
               "otpauth://totp/Acme%20Support:lea?secret=A&issuer=Acme%20Support&algorithm=SHA1&digits=6&period=30");
}

// The SVG's modules: a square of 21 + 4k modules inside a four-module quiet
// zone, with the three finder patterns in their corners.
BOOST_AUTO_TEST_CASE(the_qr_code_has_its_finder_patterns) {
    auto svg = switchboard::auth::qr_svg(tf::otpauth_uri("Switchboard", "lea", tf::new_secret()));
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_search(svg, m, std::regex(R"re(viewBox="0 0 (\d+) (\d+)")re")));
    int size = std::stoi(m[1]);
    BOOST_TEST(m[1] == m[2]);
    int width = size - 8;
    BOOST_TEST((width - 21) % 4 == 0);
    BOOST_TEST(width >= 21);
    std::set<std::pair<int, int>> dark;
    std::regex module(R"(M(\d+) (\d+)h1v1h-1z)");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), module); it != std::sregex_iterator(); ++it)
        dark.insert({std::stoi((*it)[1]) - 4, std::stoi((*it)[2]) - 4});
    for (auto& [x, y] : dark) {
        BOOST_TEST(x >= 0);
        BOOST_TEST(y >= 0);
        BOOST_TEST(x < width);
        BOOST_TEST(y < width);
    }
    // A finder: a 7×7 dark ring, a light ring, a 3×3 dark centre.
    auto finder_at = [&](int left, int top) {
        for (int y = 0; y < 7; ++y)
            for (int x = 0; x < 7; ++x) {
                bool ring = x == 0 || y == 0 || x == 6 || y == 6;
                bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
                if (dark.count({left + x, top + y}) != static_cast<std::size_t>(ring || centre)) return false;
            }
        return true;
    };
    BOOST_TEST(finder_at(0, 0));
    BOOST_TEST(finder_at(width - 7, 0));
    BOOST_TEST(finder_at(0, width - 7));
    BOOST_TEST(!finder_at(width - 7, width - 7));  // the fourth corner has none
}

BOOST_AUTO_TEST_SUITE_END()
