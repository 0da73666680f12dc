// The request and response that route handlers see. Plain structs, so that
// handlers and their tests never need Beast's headers.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::http {

enum class verb { get, head, post, put, patch, delete_, options, other };

std::string_view to_string(verb v);
verb verb_from_string(std::string_view s);

class upgraded_connection;  // the socket and request of an accepted upgrade; defined in src/http

// What takes over a connection that a handler upgrades (the WebSocket hub).
class websocket_upgrade {
public:
    virtual ~websocket_upgrade() = default;
    virtual void start(std::unique_ptr<upgraded_connection> connection) = 0;
};

// Where a streamed response writes its body, chunk by chunk (chunked
// transfer encoding); false once the client has gone.
class body_writer {
public:
    virtual ~body_writer() = default;
    virtual boost::asio::awaitable<bool> write(std::string chunk) = 0;
};

struct header_field {
    std::string name;
    std::string value;
};

struct request {
    verb method = verb::get;
    std::string target;  // as sent: path plus query, percent-encoded
    std::string path;    // target without the query, still encoded
    std::string query;   // after '?', still encoded
    std::vector<header_field> headers;
    std::string body;
    std::string remote_address;
    bool secure = false;  // arrived over TLS
    bool websocket = false;  // a WebSocket upgrade request
    // Filled by the router from `{name}` segments, percent-decoded.
    std::map<std::string, std::string, std::less<>> params;
    // The connection's socket while the request is handled (-1 when there
    // is none, as in tests), for client_gone().
    int peer_socket = -1;

    // Whether the client has closed its connection (or reset it) since it
    // sent this request: its answer would be written to nobody. Safe from
    // any thread while the request is handled; never reads what the
    // client sent.
    bool client_gone() const;

    // Case-insensitive; empty when absent.
    std::string_view header(std::string_view name) const;
    // Percent-decoded value of a query parameter, `+` read as space.
    std::optional<std::string> query_param(std::string_view name) const;
    std::string_view param(std::string_view name) const;
};

struct response {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<header_field> headers;
    // For 4xx answers: the reason counted in the rejection metrics.
    std::string reject_reason;
    // Set by a handler that accepts a WebSocket upgrade: the connection is
    // handed over instead of answered.
    std::shared_ptr<websocket_upgrade> upgrade;
    // Set for a body produced while it is sent (exports): `body` is unused.
    std::function<boost::asio::awaitable<void>(body_writer&)> stream;

    void set_header(std::string name, std::string value);
    std::string_view header(std::string_view name) const;

    static response json(unsigned status, std::string body);
    static response text(unsigned status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    // `{"error":{"code":…,"message":…}}`, the one error shape of the whole API.
    static response error(unsigned status, std::string_view code, std::string_view message);
    // 400 naming the offending field: {"error":{"code":"invalid_field","message":…,"field":…}}.
    static response invalid_field(std::string_view field, std::string_view message);
};

// Percent-decoding; returns nullopt on a malformed escape. `plus_is_space`
// for query strings.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);
// Every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX:
// safe in a query value, a path segment and RFC 8187's filename*.
std::string percent_encode(std::string_view in);

bool iequals(std::string_view a, std::string_view b);

}  // namespace switchboard::http
