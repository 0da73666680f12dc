// A blocking HTTP/1.1 client for tests, with a deadline on every operation.
// Beast stays in the .cpp so test files compile fast.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::test {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_result {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    bool keep_alive = false;
    std::string header(const std::string& lower_name) const;
};

// One connection; requests on it reuse it (keep-alive).
class test_connection {
public:
    explicit test_connection(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~test_connection();

    http_result request(const std::string& method, const std::string& target, const std::string& body = {},
                        const header_list& headers = {});
    void send_raw(const std::string& bytes);
    // Sends `bytes` and closes our sending side in the same segment (the
    // FIN rides on the data), so that the server finds the client gone as
    // soon as it has read them; we can still read the answer.
    void send_raw_and_finish(const std::string& bytes);
    http_result read_response(bool head = false);
    // True when the server closes the connection (EOF or reset) within
    // `timeout`. On false the deadline has closed our side: do not reuse it.
    bool closed_by_server(std::chrono::milliseconds timeout);
    // Local port of this connection, to tell one connection from another.
    unsigned short local_port() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// One request on a fresh connection.
http_result http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body = {}, const header_list& headers = {});

}  // namespace switchboard::test
