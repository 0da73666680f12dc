// A reader thread keeps reading into a queue, so that waiting with a deadline
// never cancels a WebSocket read (which would break the stream).
#include "ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace switchboard::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

namespace {

void handshake(websocket::stream<beast::tcp_stream>& ws, net::io_context& ioc, unsigned short port,
               const std::string& target, const header_list& headers, websocket::response_type& res,
               beast::error_code& result, bool tiny_buffer = false) {
    auto& sock = beast::get_lowest_layer(ws).socket();
    sock.open(net::ip::tcp::v4());
    if (tiny_buffer) sock.set_option(net::socket_base::receive_buffer_size(4096));
    sock.connect(net::ip::tcp::endpoint{net::ip::make_address("127.0.0.1"), port});
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

struct ws_client::impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<json::object> pending;
    std::size_t frames = 0;
    bool closed = false;
    unsigned close_code = 1006;
    bool reading = true;  // false: a stalled client, reads nothing

    void read_next() {
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            std::lock_guard lock(mutex);
            if (ec) {
                closed = true;
                if (ec == websocket::error::closed) close_code = ws.reason().code;
                changed.notify_all();
                return;
            }
            ++frames;
            auto v = json::parse(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
            if (v.is_array())
                for (auto& e : v.as_array()) pending.push_back(e.as_object());
            else
                pending.push_back(v.as_object());
            changed.notify_all();
            read_next();
        });
    }
};

ws_client::ws_client(unsigned short port, const std::string& target, const header_list& headers, bool tiny_buffer)
    : impl_(std::make_unique<impl>()) {
    websocket::response_type res;
    beast::error_code ec;
    handshake(impl_->ws, impl_->ioc, port, target, headers, res, ec, tiny_buffer);
    if (ec) throw std::runtime_error("upgrade refused with HTTP " + std::to_string(res.result_int()) + ": " + ec.message());
    impl_->reading = !tiny_buffer;
    if (impl_->reading) impl_->read_next();
    auto work = net::make_work_guard(impl_->ioc);
    impl_->thread = std::thread([i = impl_.get(), w = std::move(work)]() mutable { i->ioc.run(); });
}

ws_client::~ws_client() {
    net::post(impl_->ioc, [i = impl_.get()] {
        beast::error_code ec;
        beast::get_lowest_layer(i->ws).socket().close(ec);
    });
    impl_->ioc.stop();
    impl_->thread.join();
}

void ws_client::start_reading() {
    net::post(impl_->ioc, [i = impl_.get()] {
        if (i->reading) return;
        i->reading = true;
        i->read_next();
    });
}

unsigned ws_client::try_upgrade(unsigned short port, const std::string& target, const header_list& headers) {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws(ioc);
    websocket::response_type res;
    beast::error_code ec;
    handshake(ws, ioc, port, target, headers, res, ec);
    return res.result_int();
}

void ws_client::send(const std::string& text) { write(text, false); }

void ws_client::send_binary(const std::string& bytes) { write(bytes, true); }

void ws_client::write(const std::string& payload, bool binary) {
    std::promise<beast::error_code> done;
    auto copy = std::make_shared<std::string>(payload);
    net::post(impl_->ioc, [&, copy, binary] {
        impl_->ws.binary(binary);
        impl_->ws.async_write(net::buffer(*copy), [&, copy](beast::error_code ec, std::size_t) { done.set_value(ec); });
    });
    if (auto ec = done.get_future().get()) throw std::runtime_error("websocket write: " + ec.message());
}

std::optional<json::object> ws_client::try_next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    impl_->changed.wait_for(lock, timeout, [&] { return !impl_->pending.empty() || impl_->closed; });
    if (impl_->pending.empty()) {
        if (impl_->closed)
            throw std::runtime_error("closed by the server with " + std::to_string(impl_->close_code));
        return std::nullopt;
    }
    auto o = std::move(impl_->pending.front());
    impl_->pending.pop_front();
    return o;
}

json::object ws_client::next(std::chrono::milliseconds timeout) {
    auto o = try_next(timeout);
    if (!o) throw std::runtime_error("no frame within the timeout");
    return std::move(*o);
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
    std::unique_lock lock(impl_->mutex);
    return !impl_->changed.wait_for(lock, window, [&] { return !impl_->pending.empty(); });
}

std::optional<unsigned> ws_client::wait_close(std::chrono::milliseconds timeout) {
    if (!impl_->reading) {  // a stalled client starts reading now, to see how it ends
        impl_->reading = true;
        net::post(impl_->ioc, [i = impl_.get()] { i->read_next(); });
    }
    std::unique_lock lock(impl_->mutex);
    if (!impl_->changed.wait_for(lock, timeout, [&] { return impl_->closed; })) return std::nullopt;
    return impl_->close_code;
}

void ws_client::drop() {
    std::promise<void> done;
    net::post(impl_->ioc, [&] {
        beast::error_code ec;
        beast::get_lowest_layer(impl_->ws).socket().close(ec);
        done.set_value();
    });
    done.get_future().get();
}

std::size_t ws_client::frames_received() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->frames;
}

std::vector<boost::json::object> resumed_from_start(unsigned short port, const std::string& token) {
    ws_client ws(port, "/ws?token=" + token);
    auto upto = ws.next_of_type("hello").at("seq").as_int64();
    ws.send(R"({"type":"resume","after":0})");
    std::vector<boost::json::object> events;
    while (events.size() < static_cast<std::size_t>(upto)) {
        auto e = ws.next();
        if (e.at("type") == "resync") throw std::runtime_error("a resync where a resume from the start was asked");
        if (e.contains("seq")) events.push_back(std::move(e));
    }
    return events;
}

}  // namespace switchboard::test
