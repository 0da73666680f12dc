#include "http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <stdexcept>

namespace switchboard::load {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;

net::awaitable<std::unique_ptr<http_conn>> connect(const options& o) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    auto eps = co_await resolver.async_resolve(o.host, o.port, net::use_awaitable);
    auto c = std::make_unique<http_conn>(ex);
    co_await c->stream.async_connect(eps, net::use_awaitable);
    c->stream.socket().set_option(tcp::no_delay(true));
    co_return c;
}

net::awaitable<http_response> request(http_conn& c, const options& o, bhttp::verb verb, const std::string& target,
                                      const std::string& body, const std::string& token) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, o.host);
    req.set(bhttp::field::content_type, "application/json");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    c.stream.expires_after(std::chrono::seconds(30));
    co_await bhttp::async_write(c.stream, req, net::use_awaitable);
    http_response res;
    co_await bhttp::async_read(c.stream, c.buffer, res, net::use_awaitable);
    co_return res;
}

std::string get_body(const options& o, const std::string& target) {
    net::io_context ioc(1);
    auto fetch = [&]() -> net::awaitable<http_response> {
        auto c = co_await connect(o);
        co_return co_await request(*c, o, bhttp::verb::get, target, "", "");
    };
    auto done = net::co_spawn(ioc, fetch(), net::use_future);
    ioc.run();
    auto res = done.get();
    if (res.result_int() != 200)
        throw std::runtime_error("GET " + target + " answered " + std::to_string(res.result_int()));
    return res.body();
}

std::string webhook_body(const std::string& from, const std::string& text, const std::string& id) {
    return json::serialize(json::object{{"from", from}, {"text", text}, {"id", id}});
}
std::string credentials_body(const std::string& user, const std::string& password) {
    return json::serialize(json::object{{"username", user}, {"password", password}});
}
std::string text_body(const std::string& text) { return json::serialize(json::object{{"text", text}}); }

}  // namespace switchboard::load
