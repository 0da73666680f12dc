// A small HTTP/1.1 client for outbound delivery and media: keep-alive connections
// pooled per origin, a bound on connections per origin, TLS when the URL is
// https. Confined to one strand (the outbox's). Internal to src/channels.
#pragma once

#include "../core/strand_semaphore.hpp"
#include "../http/beast.hpp"

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::channels {

struct url_parts {
    bool tls = false;
    std::string host;
    std::string port;
    std::string path;  // "/v21.0" or "" — the target prefix
    std::string origin() const { return (tls ? "https://" : "http://") + host + ':' + port; }
};
// http[s]://host[:port][/path]; nullopt for anything else.
std::optional<url_parts> parse_url(std::string_view url);

struct client_response {
    unsigned status = 0;  // 0: no answer (connection error or timeout)
    std::string body;
    std::string retry_after;
    std::string error;
    bool too_large = false;  // an answer came, with a body over the limit (status is 0)
};

class http_client {
public:
    http_client(net::any_io_executor strand, std::chrono::seconds timeout, std::size_t max_per_origin,
                const std::string& ca_file = {});
    ~http_client();

    using header_list = std::vector<std::pair<std::string, std::string>>;

    // A body (JSON unless `content_type` says otherwise) to `url.path +
    // target`; answers of up to 1 MiB.
    net::awaitable<client_response> post(const url_parts& url, std::string target, std::string body,
                                         header_list headers, std::string content_type = "application/json");
    // An answer of up to `body_limit` bytes, or status 0 with why not.
    net::awaitable<client_response> get(const url_parts& url, std::string target, header_list headers,
                                        std::uint64_t body_limit);
    // Closes every connection, in flight or idle.
    void shutdown();

private:
    struct connection;
    net::awaitable<client_response> send(const url_parts& url, bhttp::request<bhttp::string_body> req,
                                         std::uint64_t body_limit);
    net::awaitable<std::unique_ptr<connection>> connect(const url_parts& url);
    strand_semaphore& limit_for(const std::string& origin);

    net::any_io_executor strand_;
    std::chrono::seconds timeout_;
    std::size_t max_per_origin_;
    net::ssl::context tls_;
    std::map<std::string, std::vector<std::unique_ptr<connection>>> idle_;
    std::map<std::string, std::unique_ptr<strand_semaphore>> limits_;
    std::vector<connection*> busy_;
    bool stopped_ = false;
};

}  // namespace switchboard::channels
