// A local HTTP receiver standing in for Meta's Graph API or an
// --outbound-url endpoint: records every request and answers from a script.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::test {

struct received_request {
    std::string method;
    std::string target;
    std::string authorization;
    std::string body;
    std::chrono::steady_clock::time_point at;
    std::string content_type;
    std::string signature;  // X-Switchboard-Signature
    unsigned answered = 0;  // the status it was answered with
};

struct scripted_answer {
    unsigned status = 200;
    std::string body;
    std::string retry_after;
};

struct tls_files {
    std::string certificate;  // PEM
    std::string private_key;  // PEM
};

class receiver {
public:
    // Answers `fallback` once the script runs out; speaks HTTPS when `tls` is given.
    explicit receiver(scripted_answer fallback = {200, R"({"messages":[{"id":"wamid.default"}]})", {}},
                      unsigned short port = 0, std::optional<tls_files> tls = std::nullopt);
    ~receiver();
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    unsigned short port() const;
    std::string url() const;  // http(s)://127.0.0.1:<port>
    void script(std::vector<scripted_answer> answers);
    // Blocks until at least `count` requests have arrived; throws after `timeout`.
    std::vector<received_request> wait_for(std::size_t count,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Blocks until `done` holds of every request so far; throws after `timeout`.
    std::vector<received_request> wait_until(std::function<bool(const std::vector<received_request>&)> done,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::vector<received_request> requests() const;
    // Blocks until a plain-webhook message {"to","text"} to `to` containing `text` arrives; returns its text.
    std::string wait_for_text(const std::string& to, const std::string& text,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::test
