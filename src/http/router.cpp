// Route matching: few routes, so a linear scan over pre-split patterns.
#include "switchboard/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchboard::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    if (!path.empty() && path.front() == '/') start = 1;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(path.substr(start));
            break;
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

using param_map = std::map<std::string, std::string, std::less<>>;

// Whether a route's pattern (split) names the path `segments`: its literal
// segments equal, its parameters non-empty once percent-decoded, and then
// in `params`.
bool fits(const std::vector<std::string>& pattern, const std::vector<std::string_view>& segments, param_map& params) {
    if (pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (!is_param(pattern[i])) {
            if (pattern[i] != segments[i]) return false;
            continue;
        }
        auto decoded = percent_decode(segments[i]);
        if (!decoded || decoded->empty()) return false;
        params.emplace(pattern[i].substr(1, pattern[i].size() - 2), std::move(*decoded));
    }
    return true;
}

}  // namespace

void router::add(verb method, std::string_view pattern, handler h) {
    for (auto& r : routes_)
        if (r.method == method && r.pattern == pattern)
            throw std::logic_error("route added twice: " + std::string(to_string(method)) + " " + std::string(pattern));
    route r{method, std::string(pattern), {}, std::move(h)};
    for (auto seg : split_path(pattern)) r.segments.emplace_back(seg);
    routes_.push_back(std::move(r));
}

void router::set_fallback(handler h) { fallback_ = std::move(h); }

void router::allow_body(verb method, std::string_view pattern, std::size_t max_body, admission admit) {
    for (auto& r : routes_)
        if (r.method == method && r.pattern == pattern) {
            r.max_body = max_body;
            r.admit = std::move(admit);
            largest_body_ = std::max(largest_body_, max_body);
            return;
        }
    throw std::logic_error("no route " + std::string(to_string(method)) + " " + std::string(pattern));
}

std::optional<router::large_body> router::large_body_route(verb method, std::string_view path) const {
    if (!largest_body_) return std::nullopt;
    auto segments = split_path(path);
    for (auto& r : routes_) {
        param_map unused;
        if (r.method == method && r.max_body && fits(r.segments, segments, unused)) return large_body{r.max_body, &r.admit};
    }
    return std::nullopt;
}

router::match_result router::match(request& req) const {
    auto segments = split_path(req.path);
    match_result result;
    for (auto& r : routes_) {
        param_map params;
        if (!fits(r.segments, segments, params)) continue;
        // HEAD is served by every GET route.
        bool method_ok = r.method == req.method || (req.method == verb::head && r.method == verb::get);
        if (method_ok) {
            req.params = std::move(params);
            result.result = outcome::matched;
            result.target = &r.h;
            result.route = r.pattern;
            return result;
        }
        result.result = outcome::method_not_allowed;
        result.route = r.pattern;
        auto name = std::string(to_string(r.method));
        if (result.allow.find(name) == std::string::npos) {
            if (!result.allow.empty()) result.allow += ", ";
            result.allow += name;
            if (r.method == verb::get) result.allow += ", HEAD";
        }
    }
    if (result.result == outcome::not_found && fallback_ && (req.method == verb::get || req.method == verb::head)) {
        result.result = outcome::fallback;
        result.target = &fallback_;
        result.route = "static";
    }
    return result;
}

boost::asio::awaitable<response> router::dispatch(request& req, std::string* route_label) const {
    auto m = match(req);
    if (route_label) *route_label = m.route.empty() ? "unmatched" : m.route;
    switch (m.result) {
    case outcome::matched:
    case outcome::fallback:
        co_return co_await (*m.target)(req);
    case outcome::method_not_allowed: {
        auto r = response::error(405, "method_not_allowed",
                                 std::string(to_string(req.method)) + " is not allowed on " + req.path);
        r.set_header("Allow", m.allow);
        co_return r;
    }
    case outcome::not_found:
        break;
    }
    co_return response::error(404, "not_found", "no route for " + req.path);
}

}  // namespace switchboard::http
