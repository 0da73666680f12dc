// Test client on Beast: async operations run to completion on a private
// io_context, with tcp_stream's deadline standing in for socket timeouts.
#include "http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <netinet/tcp.h>

#include <stdexcept>

namespace switchboard::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string http_result::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
}

struct test_connection::impl {
    net::io_context ioc;
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
    std::chrono::milliseconds timeout;

    // Runs one async operation to completion (or to the deadline).
    template <class Start>
    beast::error_code try_run(Start start, std::size_t* bytes = nullptr) {
        beast::error_code result;
        stream.expires_after(timeout);
        start([&](beast::error_code ec, std::size_t n) {
            result = ec;
            if (bytes) *bytes = n;
        });
        ioc.restart();
        ioc.run();
        return result;
    }

    template <class Start>
    void run(Start start, const char* what) {
        if (auto ec = try_run(start)) throw std::runtime_error(std::string(what) + ": " + ec.message());
    }
};

test_connection::test_connection(unsigned short port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
    impl_->timeout = timeout;
    net::ip::tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    beast::error_code result;
    impl_->stream.expires_after(timeout);
    impl_->stream.async_connect(ep, [&](beast::error_code ec) { result = ec; });
    impl_->ioc.run();
    if (result) throw std::runtime_error("connect to port " + std::to_string(port) + ": " + result.message());
}

test_connection::~test_connection() = default;

void test_connection::send_raw(const std::string& bytes) {
    impl_->run([&](auto h) { net::async_write(impl_->stream, net::buffer(bytes), h); }, "write");
}

void test_connection::send_raw_and_finish(const std::string& bytes) {
    auto& socket = impl_->stream.socket();
    // Corked, the data waits in our send queue, and the shutdown's FIN is
    // put on its segment rather than sent after it.
    net::detail::socket_option::boolean<IPPROTO_TCP, TCP_CORK> cork(true);
    socket.set_option(cork);
    send_raw(bytes);
    socket.shutdown(net::ip::tcp::socket::shutdown_send);
}

http_result test_connection::read_response(bool head) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);  // a response to HEAD has a Content-Length but no body
    parser.body_limit(256u << 20);
    impl_->run([&](auto h) { bhttp::async_read(impl_->stream, impl_->buffer, parser, h); }, "read response");
    auto res = parser.release();
    http_result out;
    out.status = res.result_int();
    for (auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    out.body = std::move(res.body());
    out.keep_alive = res.keep_alive();
    return out;
}

http_result test_connection::request(const std::string& method, const std::string& target, const std::string& body,
                                     const header_list& headers) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() && req[bhttp::field::content_type].empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    impl_->run([&](auto h) { bhttp::async_write(impl_->stream, req, h); }, "write request");
    return read_response(method == "HEAD");
}

bool test_connection::closed_by_server(std::chrono::milliseconds timeout) {
    auto saved = std::exchange(impl_->timeout, timeout);
    char byte;
    auto ec = impl_->try_run([&](auto h) { impl_->stream.async_read_some(net::buffer(&byte, 1), h); });
    impl_->timeout = saved;
    return ec == net::error::eof || ec == net::error::connection_reset;
}

unsigned short test_connection::local_port() const { return impl_->stream.socket().local_endpoint().port(); }

http_result http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body, const header_list& headers) {
    test_connection c(port);
    return c.request(method, target, body, headers);
}

}  // namespace switchboard::test
