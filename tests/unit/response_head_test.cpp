// Answers are written without Beast's serializer (response_head.hpp): the
// bytes must be the ones Beast would have sent, for every kind of answer.
#include "../../src/http/response_head.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace switchboard;
namespace bhttp = boost::beast::http;

namespace {

// What connection.cpp did before: Beast's message, prepared and serialized.
std::string beast_bytes(const http::response& in, unsigned version, bool keep_alive, bool head) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
    out.set(bhttp::field::server, "switchboard");
    if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
    for (auto& h : in.headers) out.set(h.name, h.value);
    auto size = in.body.size();
    out.body() = in.body;
    out.keep_alive(keep_alive);
    out.prepare_payload();
    if (head) {
        out.body().clear();
        out.content_length(size);
    }
    bhttp::response_serializer<bhttp::string_body> sr{out};
    std::string bytes;
    boost::system::error_code ec;
    while (!sr.is_done()) {
        sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
            bytes += boost::beast::buffers_to_string(buffers);
            sr.consume(boost::asio::buffer_size(buffers));
        });
        BOOST_REQUIRE(!ec);
    }
    return bytes;
}

std::string our_bytes(const http::response& in, unsigned version, bool keep_alive, bool head) {
    return http::response_head(in, version, keep_alive, in.body.size()) + (head ? "" : in.body);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response_head)

BOOST_AUTO_TEST_CASE(writes_the_bytes_beast_would) {
    std::vector<http::response> answers;
    answers.push_back(http::response::json(200, R"({"replies":[{"text":"hi"}]})"));
    answers.push_back(http::response::error(404, "not_found", "no such route"));
    answers.push_back(http::response::text(200, ""));
    http::response no_content;
    no_content.status = 204;
    answers.push_back(no_content);
    http::response not_modified;
    not_modified.status = 304;
    not_modified.set_header("ETag", "\"abc\"");
    answers.push_back(not_modified);
    auto limited = http::response::error(429, "rate_limited", "slow down");
    limited.set_header("Retry-After", "1");
    limited.set_header("content-type", "text/plain");  // replaces the earlier field, and moves last
    answers.push_back(limited);
    auto file = http::response::text(200, std::string(70000, 'x'), "text/javascript");
    file.set_header("Cache-Control", "no-cache");
    file.set_header("X-Custom-Status", "unknown");
    answers.push_back(file);
    auto framed = http::response::text(200, "four");
    framed.set_header("Content-Length", "999");  // replaced by the real length, as Beast does
    answers.push_back(framed);
    http::response odd;
    odd.status = 599;  // a status Beast has no reason for
    odd.body = "?";
    answers.push_back(odd);

    for (auto& a : answers)
        for (unsigned version : {10u, 11u})
            for (bool keep_alive : {false, true})
                for (bool head : {false, true}) {
                    BOOST_TEST_CONTEXT("status " << a.status << " HTTP/" << version << " keep-alive " << keep_alive
                                                 << " HEAD " << head) {
                        auto expected = beast_bytes(a, version, keep_alive, head);
                        // The one difference, on purpose: no Content-Length on
                        // a 204 or 304, which never has a body (RFC 9110 §8.6).
                        if (a.status == 204 || a.status == 304) {
                            auto at = expected.find("Content-Length: 0\r\n");
                            BOOST_REQUIRE(at != std::string::npos);
                            expected.erase(at, 19);
                        }
                        BOOST_TEST(our_bytes(a, version, keep_alive, head) == expected);
                    }
                }
}

// Streamed answers (exports): the head Beast wrote before the chunks.
BOOST_AUTO_TEST_CASE(a_streamed_answers_head_is_the_one_beast_would_write) {
    auto a = http::response::text(200, "", "text/csv");
    a.set_header("Content-Disposition", "attachment; filename=\"messages.csv\"");
    a.set_header("Transfer-Encoding", "gzip");  // the framing is ours
    for (unsigned version : {10u, 11u})
        for (bool keep_alive : {false, true}) {
            BOOST_TEST_CONTEXT("HTTP/" << version << " keep-alive " << keep_alive) {
                bhttp::response<bhttp::empty_body> head{bhttp::status::ok, version};
                head.set(bhttp::field::server, "switchboard");
                head.set(bhttp::field::content_type, a.content_type);
                head.set(bhttp::field::content_disposition, "attachment; filename=\"messages.csv\"");
                head.keep_alive(keep_alive);
                head.chunked(true);
                bhttp::response_serializer<bhttp::empty_body> sr{head};
                std::string expected;
                boost::system::error_code ec;
                sr.split(true);
                while (!sr.is_header_done()) {
                    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
                        expected += boost::beast::buffers_to_string(buffers);
                        sr.consume(boost::asio::buffer_size(buffers));
                    });
                    BOOST_REQUIRE(!ec);
                }
                BOOST_TEST(http::response_head(a, version, keep_alive, std::nullopt) == expected);
            }
        }
}

BOOST_AUTO_TEST_CASE(a_field_value_never_ends_a_line) {
    auto a = http::response::text(200, "ok");
    a.set_header("Content-Disposition", "attachment; filename=\"a\r\nSet-Cookie: x=1\"");
    auto head = http::response_head(a, 11, true, 2);
    BOOST_TEST(head.find("\r\nSet-Cookie") == std::string::npos);
    BOOST_TEST(head.find("filename=\"a  Set-Cookie: x=1\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
