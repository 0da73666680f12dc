// Method + path-pattern routing. Patterns are literal segments and `{name}`
// parameters: `/conversations/{phone}/chat-support/send`.
#pragma once

#include "switchboard/http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::http {

using handler = std::function<boost::asio::awaitable<response>(request&)>;

class router {
public:
    // A pattern added twice for the same method is a programming error: throws.
    void add(verb method, std::string_view pattern, handler h);
    // Serves GET/HEAD requests that match no route (the static console).
    void set_fallback(handler h);

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
    };
    std::vector<route> routes_;
    handler fallback_;
};

}  // namespace switchboard::http
