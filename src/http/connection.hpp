// One HTTP/1.1 connection: reads a request, answers it, repeats. Requests on
// one connection are handled strictly in order, which keeps pipelining safe.
#pragma once

#include "server_impl.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace switchboard::http {

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(tcp::socket socket, std::shared_ptr<server::impl> owner);

    net::awaitable<void> run();
    // Called on the connection's strand: close now if between requests,
    // otherwise after the response in flight.
    void stop();
    net::any_io_executor executor() { return strand_; }

private:
    net::awaitable<bool> read_request(beast::flat_buffer& buffer, bhttp::request_parser<bhttp::string_body>& parser,
                                      bool first);
    net::awaitable<void> answer_read_error(beast::error_code ec);
    // For a request that could not be read: counts the rejection under
    // `code`, answers with the error, then lingers and closes.
    net::awaitable<void> refuse_and_close(unsigned status, std::string_view code, std::string message);
    // An answer whose header response_head() wrote.
    net::awaitable<beast::error_code> write(const std::string& head, const std::string& body);
    net::awaitable<beast::error_code> write_streamed(response& res, unsigned version, bool keep_alive);
    net::awaitable<void> linger_and_close();
    void close();

    net::any_io_executor strand_;  // kept apart: the stream moves away on an upgrade
    beast::tcp_stream stream_;
    bool handed_over_ = false;
    std::shared_ptr<server::impl> owner_;
    std::string remote_address_;
    std::chrono::steady_clock::time_point accepted_at_;
    bool idle_ = true;  // no byte of a request received yet
    bool stopping_ = false;
};

}  // namespace switchboard::http
