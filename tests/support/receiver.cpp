#include "receiver.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace switchboard::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct receiver::impl : std::enable_shared_from_this<receiver::impl> {
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    mutable std::mutex mutex;
    std::condition_variable arrived;
    std::vector<received_request> seen;
    std::deque<scripted_answer> answers;
    scripted_answer fallback;
    std::optional<net::ssl::context> tls;

    net::awaitable<void> serve(tcp::socket socket) {
        if (tls) {
            beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
            auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
            if (ec) co_return;  // e.g. the client did not trust us
            co_await exchange(stream);
        } else {
            beast::tcp_stream stream(std::move(socket));
            co_await exchange(stream);
        }
    }

    template <class Stream>
    net::awaitable<void> exchange(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request<bhttp::string_body> req;
            auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, net::as_tuple(net::use_awaitable));
            if (ec) co_return;
            scripted_answer answer;
            {
                std::lock_guard lock(mutex);
                if (answers.empty())
                    answer = fallback;
                else {
                    answer = answers.front();
                    answers.pop_front();
                }
                seen.push_back({std::string(req.method_string()), std::string(req.target()),
                                std::string(req[bhttp::field::authorization]), req.body(),
                                std::chrono::steady_clock::now(), std::string(req[bhttp::field::content_type]),
                                std::string(req["X-Switchboard-Signature"]), answer.status});
            }
            arrived.notify_all();
            bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), 11};
            res.set(bhttp::field::content_type, "application/json");
            if (!answer.retry_after.empty()) res.set(bhttp::field::retry_after, answer.retry_after);
            res.body() = answer.body;
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, wn] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
            if (wec || !req.keep_alive()) co_return;
        }
    }

    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
            if (ec) co_return;
            net::co_spawn(ioc, serve(std::move(socket)), net::detached);
        }
    }
};

receiver::receiver(scripted_answer fallback, unsigned short port, std::optional<tls_files> tls)
    : impl_(std::make_shared<impl>()) {
    impl_->fallback = std::move(fallback);
    if (tls) {
        impl_->tls.emplace(net::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(tls->certificate);
        impl_->tls->use_private_key_file(tls->private_key, net::ssl::context::pem);
    }
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
    impl_->thread = std::thread([i = impl_] { i->ioc.run(); });
}

receiver::~receiver() {
    impl_->ioc.stop();
    impl_->thread.join();
}

unsigned short receiver::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string receiver::url() const {
    return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

void receiver::script(std::vector<scripted_answer> answers) {
    std::lock_guard lock(impl_->mutex);
    impl_->answers.assign(answers.begin(), answers.end());
}

std::vector<received_request> receiver::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->arrived.wait_for(lock, timeout, [&] { return impl_->seen.size() >= count; }))
        throw std::runtime_error("receiver got " + std::to_string(impl_->seen.size()) + " requests, expected " +
                                 std::to_string(count));
    return impl_->seen;
}

std::vector<received_request> receiver::wait_until(std::function<bool(const std::vector<received_request>&)> done,
                                                   std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->arrived.wait_for(lock, timeout, [&] { return done(impl_->seen); }))
        throw std::runtime_error("receiver got " + std::to_string(impl_->seen.size()) +
                                 " requests, and not those awaited");
    return impl_->seen;
}

std::string receiver::wait_for_text(const std::string& to, const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    std::string found;
    auto match = [&] {
        for (auto& r : impl_->seen) {
            boost::system::error_code ec;
            auto v = boost::json::parse(r.body, ec);
            if (ec || !v.is_object() || !v.as_object().contains("to") || !v.as_object().contains("text")) continue;
            std::string got(v.at("text").as_string());
            if (v.at("to").as_string() == to && got.find(text) != std::string::npos) {
                found = got;
                return true;
            }
        }
        return false;
    };
    if (!impl_->arrived.wait_for(lock, timeout, match))
        throw std::runtime_error("no message to " + to + " containing '" + text + "'");
    return found;
}

std::vector<received_request> receiver::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

}  // namespace switchboard::test
