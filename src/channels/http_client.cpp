#include "http_client.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>

namespace switchboard::channels {

std::optional<url_parts> parse_url(std::string_view url) {
    url_parts out;
    if (url.starts_with("https://")) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    out.path = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
    while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
    if (authority.empty()) return std::nullopt;
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        out.host = std::string(authority.substr(0, colon));
        out.port = std::string(authority.substr(colon + 1));
        if (out.port.empty() || !std::all_of(out.port.begin(), out.port.end(), ::isdigit)) return std::nullopt;
    } else {
        out.host = std::string(authority);
        out.port = out.tls ? "443" : "80";
    }
    if (out.host.empty()) return std::nullopt;
    return out;
}

struct http_client::connection {
    std::string origin;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

http_client::http_client(net::any_io_executor strand, std::chrono::seconds timeout, std::size_t max_per_origin,
                         const std::string& ca_file)
    : strand_(std::move(strand)), timeout_(timeout), max_per_origin_(max_per_origin), tls_(net::ssl::context::tls_client) {
    tls_.set_default_verify_paths();
    if (!ca_file.empty()) {
        beast::error_code ec;
        tls_.load_verify_file(ca_file, ec);
        if (ec) throw std::invalid_argument("cannot load CA file " + ca_file + ": " + ec.message());
    }
    tls_.set_verify_mode(net::ssl::verify_peer);
}

http_client::~http_client() = default;

strand_semaphore& http_client::limit_for(const std::string& origin) {
    auto& slot = limits_[origin];
    if (!slot) slot = std::make_unique<strand_semaphore>(max_per_origin_);
    return *slot;
}

net::awaitable<std::unique_ptr<http_client::connection>> http_client::connect(const url_parts& url) {
    auto c = std::make_unique<connection>();
    c->origin = url.origin();
    tcp::resolver resolver(strand_);
    auto [rec, results] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
    if (rec) throw boost::system::system_error(rec, "resolve " + url.host);
    if (url.tls) {
        c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand_, tls_);
        if (!SSL_set_tlsext_host_name(c->tls->native_handle(), url.host.c_str()))
            throw std::runtime_error("TLS SNI for " + url.host);
        c->tls->set_verify_callback(net::ssl::host_name_verification(url.host));
    } else {
        c->plain = std::make_unique<beast::tcp_stream>(strand_);
    }
    c->tcp().expires_after(timeout_);
    if (auto [ec, ep] = co_await c->tcp().async_connect(results, use_tuple); ec)
        throw boost::system::system_error(ec, "connect " + url.origin());
    c->tcp().socket().set_option(tcp::no_delay(true));
    if (c->tls) {
        if (auto [ec] = co_await c->tls->async_handshake(net::ssl::stream_base::client, use_tuple); ec)
            throw boost::system::system_error(ec, "TLS handshake " + url.origin());
    }
    co_return c;
}

namespace {

client_response failure(std::string why) {
    client_response r;
    r.error = std::move(why);
    return r;
}

template <class Stream>
net::awaitable<client_response> exchange(Stream& stream, beast::flat_buffer& buffer,
                                         bhttp::request<bhttp::string_body>& req, std::uint64_t body_limit,
                                         bool& reusable) {
    client_response out;
    if (auto [ec, n] = co_await bhttp::async_write(stream, req, use_tuple); ec) {
        out.error = "write: " + ec.message();
        co_return out;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_tuple); ec) {
        out.error = "read: " + ec.message();
        out.too_large = ec == bhttp::error::body_limit;
        co_return out;
    }
    auto res = parser.release();
    out.status = res.result_int();
    out.body = std::move(res.body());
    out.retry_after = std::string(res[bhttp::field::retry_after]);
    reusable = res.keep_alive();
    co_return out;
}

}  // namespace

namespace {

bhttp::request<bhttp::string_body> request_to(bhttp::verb method, const url_parts& url, const std::string& target,
                                              const http_client::header_list& headers) {
    auto full_target = url.path + target;
    if (full_target.empty()) full_target = "/";
    bhttp::request<bhttp::string_body> req{method, full_target, 11};
    req.set(bhttp::field::host, url.host);
    req.set(bhttp::field::user_agent, "switchboard");
    for (auto& [k, v] : headers) req.set(k, v);
    req.keep_alive(true);
    return req;
}

}  // namespace

net::awaitable<client_response> http_client::post(const url_parts& url, std::string target, std::string body,
                                                   header_list headers, std::string content_type) {
    auto req = request_to(bhttp::verb::post, url, target, headers);
    req.set(bhttp::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    co_return co_await send(url, std::move(req), 1u << 20);
}

net::awaitable<client_response> http_client::get(const url_parts& url, std::string target, header_list headers,
                                                  std::uint64_t body_limit) {
    auto req = request_to(bhttp::verb::get, url, target, headers);
    req.prepare_payload();
    co_return co_await send(url, std::move(req), body_limit);
}

net::awaitable<client_response> http_client::send(const url_parts& url, bhttp::request<bhttp::string_body> req,
                                                   std::uint64_t body_limit) {
    auto origin = url.origin();
    auto& limit = limit_for(origin);
    co_await limit.acquire();
    semaphore_permit permit(limit);

    // A pooled connection may have been closed by the server while idle:
    // on a failure before any answer, try once more on a fresh one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (stopped_) co_return failure("shutting down");
        std::unique_ptr<connection> c;
        bool pooled = false;
        auto& pool = idle_[origin];
        if (!pool.empty()) {
            c = std::move(pool.back());
            pool.pop_back();
            pooled = true;
        } else {
            try {
                c = co_await connect(url);
            } catch (const std::exception& e) {
                co_return failure(e.what());
            }
        }
        busy_.push_back(c.get());
        c->tcp().expires_after(timeout_);
        bool reusable = false;
        // Two statements, not `?:`: GCC 12 mishandles co_await inside a conditional expression.
        client_response res;
        if (c->tls)
            res = co_await exchange(*c->tls, c->buffer, req, body_limit, reusable);
        else
            res = co_await exchange(*c->plain, c->buffer, req, body_limit, reusable);
        std::erase(busy_, c.get());
        if (res.status != 0) {
            if (reusable && !stopped_ && idle_[origin].size() < max_per_origin_) {
                c->tcp().expires_never();
                idle_[origin].push_back(std::move(c));
            }
            co_return res;
        }
        if (!pooled || res.too_large) co_return res;
    }
    co_return failure("no answer");
}

void http_client::shutdown() {
    stopped_ = true;
    for (auto* c : busy_) c->tcp().cancel();
    idle_.clear();
}

}  // namespace switchboard::channels
