// A trivial Beast server, written the way Beast's own examples write one: a
// coroutine per connection on its own strand, Beast's parser and serializer,
// the same constant JSON answer as the bare ceiling. The bare ceiling is
// Switchboard's listener, which writes its answers' headers by hand and so
// outruns this; benchmarks/run reports Switchboard against both.
//
//   plain_beast [--port N] [--threads N]
#include "server_flags.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr auto timeout = std::chrono::seconds(30);

net::awaitable<void> serve(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        stream.expires_after(timeout);
        auto [read_error, read] = co_await bhttp::async_read(stream, buffer, req, use_tuple);
        if (read_error) break;
        bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
        res.set(bhttp::field::server, "plain-beast");
        res.set(bhttp::field::content_type, "application/json");
        res.body() = R"({"replies":[],"state":"IDLE"})";
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        stream.expires_after(timeout);
        auto [write_error, written] = co_await bhttp::async_write(stream, res, use_tuple);
        if (write_error || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_all(tcp::acceptor& acceptor, net::io_context& ioc) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
        if (ec) co_return;
        socket.set_option(tcp::no_delay(true), ec);  // as the bare ceiling's listener does
        auto ex = socket.get_executor();
        net::co_spawn(ex, serve(beast::tcp_stream(std::move(socket))), net::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    auto [port, threads] = parse_server_flags(argc, argv, "plain_beast");

    net::io_context ioc(static_cast<int>(threads));
    tcp::acceptor acceptor(net::make_strand(ioc), {net::ip::make_address("127.0.0.1"), port});
    std::cout << "listening on " << acceptor.local_endpoint() << std::endl;
    net::co_spawn(acceptor.get_executor(), accept_all(acceptor, ioc), net::detached);

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) { ioc.stop(); });
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    return 0;
}
