#include "switchboard/http/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

using namespace switchboard::http;

namespace {

handler answer(std::string body) {
    return [body](request&) -> boost::asio::awaitable<response> { co_return response::json(200, body); };
}

request make(verb m, std::string path) {
    request r;
    r.method = m;
    r.path = r.target = std::move(path);
    return r;
}

response run_dispatch(const router& rt, request& req, std::string* label = nullptr) {
    boost::asio::io_context ioc;
    auto fut = boost::asio::co_spawn(ioc, rt.dispatch(req, label), boost::asio::use_future);
    ioc.run();
    return fut.get();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(matches_literal_and_parameter_segments) {
    switchboard::http::router rt;
    rt.add(verb::get, "/conversations", answer("list"));
    rt.add(verb::get, "/conversations/{phone}", answer("one"));
    rt.add(verb::post, "/conversations/{phone}/chat-support/send", answer("send"));

    auto req = make(verb::post, "/conversations/15550001/chat-support/send");
    auto m = rt.match(req);
    BOOST_TEST((m.result == switchboard::http::router::outcome::matched));
    BOOST_TEST(m.route == "/conversations/{phone}/chat-support/send");
    BOOST_TEST(req.param("phone") == "15550001");

    auto one = make(verb::get, "/conversations/%2B15550001");
    BOOST_TEST(run_dispatch(rt, one).body == "one");
    BOOST_TEST(one.param("phone") == "+15550001");  // parameters arrive decoded
}

BOOST_AUTO_TEST_CASE(unknown_path_is_404_in_the_error_shape) {
    switchboard::http::router rt;
    rt.add(verb::get, "/healthz", answer("ok"));
    auto req = make(verb::get, "/nope");
    std::string label;
    auto res = run_dispatch(rt, req, &label);
    BOOST_TEST(res.status == 404u);
    BOOST_TEST(res.body.find(R"("code":"not_found")") != std::string::npos);
    BOOST_TEST(label == "unmatched");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_allow) {
    switchboard::http::router rt;
    rt.add(verb::get, "/agents", answer("list"));
    rt.add(verb::post, "/agents", answer("create"));
    auto req = make(verb::delete_, "/agents");
    auto res = run_dispatch(rt, req);
    BOOST_TEST(res.status == 405u);
    BOOST_TEST(res.header("Allow") == "GET, HEAD, POST");
    BOOST_TEST(res.reject_reason == "method_not_allowed");
}

BOOST_AUTO_TEST_CASE(head_is_served_by_get_routes) {
    switchboard::http::router rt;
    rt.add(verb::get, "/healthz", answer("ok"));
    auto req = make(verb::head, "/healthz");
    BOOST_TEST((rt.match(req).result == switchboard::http::router::outcome::matched));
}

BOOST_AUTO_TEST_CASE(empty_parameter_does_not_match) {
    switchboard::http::router rt;
    rt.add(verb::get, "/conversations/{phone}", answer("one"));
    auto req = make(verb::get, "/conversations/");
    BOOST_TEST((rt.match(req).result == switchboard::http::router::outcome::not_found));
}

BOOST_AUTO_TEST_CASE(fallback_takes_unmatched_get_only) {
    switchboard::http::router rt;
    rt.add(verb::get, "/healthz", answer("ok"));
    rt.set_fallback(answer("static"));
    auto get = make(verb::get, "/index.html");
    BOOST_TEST(run_dispatch(rt, get).body == "static");
    auto post = make(verb::post, "/index.html");
    BOOST_TEST(run_dispatch(rt, post).status == 404u);
}

BOOST_AUTO_TEST_CASE(adding_a_route_twice_throws) {
    switchboard::http::router rt;
    rt.add(verb::get, "/x", answer("a"));
    BOOST_CHECK_THROW(rt.add(verb::get, "/x", answer("b")), std::logic_error);
}

BOOST_AUTO_TEST_CASE(query_parameters_are_decoded) {
    request r;
    r.query = "q=John+Doe&filter=mine&empty&pct=%2B1";
    BOOST_TEST(*r.query_param("q") == "John Doe");
    BOOST_TEST(*r.query_param("filter") == "mine");
    BOOST_TEST(*r.query_param("empty") == "");
    BOOST_TEST(*r.query_param("pct") == "+1");
    BOOST_TEST(!r.query_param("missing"));
}

BOOST_AUTO_TEST_CASE(percent_decode_rejects_bad_escapes) {
    BOOST_TEST(!percent_decode("%G1"));
    BOOST_TEST(!percent_decode("abc%2"));
    BOOST_TEST(*percent_decode("%2e%2E") == "..");
}

BOOST_AUTO_TEST_SUITE_END()
