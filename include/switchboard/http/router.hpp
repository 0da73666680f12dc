// Method + path-pattern routing. Patterns are literal segments and `{name}`
// parameters: `/conversations/{phone}/chat-support/send`.
#pragma once

#include "switchboard/http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::http {

using handler = std::function<boost::asio::awaitable<response>(request&)>;
// Asked with a request's headers (its body not read yet): a refusal to
// answer instead (and close), or nullopt to read the body.
using admission = std::function<std::optional<response>(const request&)>;

class router {
public:
    // A pattern added twice for the same method is a programming error: throws.
    void add(verb method, std::string_view pattern, handler h);
    // Serves GET/HEAD requests that match no route (the static console).
    void set_fallback(handler h);
    // A route added before that takes bodies larger than the server's
    // --max-body (an agent's file): up to `max_body` bytes, each such body
    // read only once `admit` let its request in (a session checked before
    // megabytes are read and held).
    void allow_body(verb method, std::string_view pattern, std::size_t max_body, admission admit);
    // The largest body any route takes beyond the server's own limit; 0 when none does.
    std::size_t largest_body() const { return largest_body_; }
    struct large_body {
        std::size_t max_body;
        const admission* admit;
    };
    // The route `path` (percent-encoded, no query) names, when it takes
    // large bodies.
    std::optional<large_body> large_body_route(verb method, std::string_view path) const;

    enum class outcome { matched, fallback, not_found, method_not_allowed };
    struct match_result {
        outcome result = outcome::not_found;
        const handler* target = nullptr;
        std::string route;  // the pattern, used as the metrics label
        std::string allow;  // for 405: the methods the path does take
    };
    // Fills `req.params` when a route matches.
    match_result match(request& req) const;

    // Runs the matched handler, or answers 404/405 in the API's error shape.
    boost::asio::awaitable<response> dispatch(request& req, std::string* route_label = nullptr) const;

private:
    struct route {
        verb method;
        std::string pattern;
        std::vector<std::string> segments;  // "{x}" marks a parameter
        handler h;
        std::size_t max_body = 0;  // 0: the server's
        admission admit;
    };
    std::vector<route> routes_;
    std::size_t largest_body_ = 0;
    handler fallback_;
};

}  // namespace switchboard::http
