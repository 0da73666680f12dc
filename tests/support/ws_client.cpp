#include "ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>

#include <stdexcept>

namespace switchboard::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

struct ws_client::impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    std::deque<json::object> pending;
    std::size_t frames = 0;
    bool closed = false;
    std::optional<unsigned> close_code;

    // One read with a deadline; false on timeout, throws on other errors.
    bool read_frame(std::chrono::milliseconds timeout) {
        beast::flat_buffer buffer;
        beast::error_code result;
        bool done = false;
        ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
            result = ec;
            done = true;
        });
        ioc.restart();
        ioc.run_for(timeout);
        if (!done) {
            beast::get_lowest_layer(ws).cancel();
            ioc.restart();
            ioc.run();
            return false;
        }
        if (result == websocket::error::closed) {
            closed = true;
            close_code = ws.reason().code;
            throw std::runtime_error("closed by the server with " + std::to_string(ws.reason().code));
        }
        if (result) throw std::runtime_error("websocket read: " + result.message());
        ++frames;
        auto v = json::parse(beast::buffers_to_string(buffer.data()));
        if (v.is_array())
            for (auto& e : v.as_array()) pending.push_back(e.as_object());
        else
            pending.push_back(v.as_object());
        return true;
    }
};

namespace {

void handshake(websocket::stream<beast::tcp_stream>& ws, net::io_context& ioc, unsigned short port,
               const std::string& target, const header_list& headers, websocket::response_type& res,
               beast::error_code& result) {
    beast::get_lowest_layer(ws).connect(net::ip::tcp::endpoint{net::ip::make_address("127.0.0.1"), port});
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (auto& [k, v] : headers) req.set(k, v);
    }));
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), target, [&](beast::error_code ec) { result = ec; });
    ioc.run();
    ioc.restart();
    beast::get_lowest_layer(ws).expires_never();
}

}  // namespace

ws_client::ws_client(unsigned short port, const std::string& target, const header_list& headers)
    : impl_(std::make_unique<impl>()) {
    websocket::response_type res;
    beast::error_code ec;
    handshake(impl_->ws, impl_->ioc, port, target, headers, res, ec);
    if (ec) throw std::runtime_error("upgrade refused with HTTP " + std::to_string(res.result_int()) + ": " + ec.message());
}

ws_client::~ws_client() = default;

unsigned ws_client::try_upgrade(unsigned short port, const std::string& target, const header_list& headers) {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws(ioc);
    websocket::response_type res;
    beast::error_code ec;
    handshake(ws, ioc, port, target, headers, res, ec);
    return res.result_int();
}

void ws_client::send(const std::string& text) {
    beast::error_code result;
    impl_->ws.async_write(net::buffer(text), [&](beast::error_code ec, std::size_t) { result = ec; });
    impl_->ioc.restart();
    impl_->ioc.run();
    if (result) throw std::runtime_error("websocket write: " + result.message());
}

json::object ws_client::next(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (impl_->pending.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !impl_->read_frame(left)) throw std::runtime_error("no frame within the timeout");
    }
    auto o = std::move(impl_->pending.front());
    impl_->pending.pop_front();
    return o;
}

json::object ws_client::next_of_type(const std::string& type, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto o = next(std::max(left, std::chrono::milliseconds(1)));
        if (o.at("type").as_string() == type) return o;
    }
}

bool ws_client::quiet_for(std::chrono::milliseconds window) {
    if (!impl_->pending.empty()) return false;
    return !impl_->read_frame(window);
}

std::optional<unsigned> ws_client::wait_close(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    try {
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            impl_->pending.clear();
            impl_->read_frame(left);
        }
    } catch (const std::runtime_error&) {
        if (impl_->close_code) return impl_->close_code;
        return 1006;  // dropped without a close frame
    }
}

void ws_client::drop() {
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

std::size_t ws_client::frames_received() const { return impl_->frames; }

}  // namespace switchboard::test
