// The tool's HTTP client: one keep-alive connection, one request at a time.
#pragma once

#include "options.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <memory>
#include <string>

namespace switchboard::load {

struct http_conn {
    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
    explicit http_conn(boost::asio::any_io_executor ex) : stream(std::move(ex)) {}
};

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

boost::asio::awaitable<std::unique_ptr<http_conn>> connect(const options& o);

// `token`, when given, goes as a bearer token.
boost::asio::awaitable<http_response> request(http_conn& c, const options& o, boost::beast::http::verb verb,
                                              const std::string& target, const std::string& body,
                                              const std::string& token);

// One GET on a connection of its own, run to completion on the calling
// thread: for the odd look between runs (the server's /metrics). Throws
// unless the answer is 200.
std::string get_body(const options& o, const std::string& target);

// JSON bodies are built in plain functions: GCC 12 miscompiles braced JSON inside coroutines.
std::string webhook_body(const std::string& from, const std::string& text, const std::string& id);
std::string credentials_body(const std::string& user, const std::string& password);
std::string text_body(const std::string& text);

}  // namespace switchboard::load
