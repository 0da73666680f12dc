// Checks of a refused request, for the API tests: the status, the error's
// code and the words that say why; or the field a 400 names. Header-only:
// they are Boost.Test checks, in the test that calls them.
#pragma once

#include "api_session.hpp"
#include "http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace switchboard::test {

inline void refused(const http_result& r, unsigned status, const std::string& code, const std::string& words) {
    BOOST_TEST(r.status == status, r.body);
    BOOST_TEST(r.body.find("\"code\":\"" + code + "\"") != std::string::npos, r.body);
    BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
}

inline void refused_naming(const http_result& r, const std::string& field, const std::string& words) {
    BOOST_TEST(refused_field(r) == field, r.body);
    BOOST_TEST(r.body.find(words) != std::string::npos, r.body);
}

}  // namespace switchboard::test
