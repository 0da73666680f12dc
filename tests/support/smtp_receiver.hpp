// A local SMTP server standing in for a mail server: takes every mail over
// plain SMTP (no TLS, no login) and records it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::test {

struct received_mail {
    std::string from;              // MAIL FROM's address
    std::vector<std::string> to;   // each RCPT TO's
    std::string data;              // the message, CRLF lines, as sent (dot-stuffing undone)
    // A header's value (the first of that name, unfolded), or empty.
    std::string header(const std::string& name) const;
    std::string body() const;  // after the blank line
    // The content of the part of that type ("text/html"), decoded: see mime_part.
    std::string part(const std::string& type) const;
};

// The text of a header's RFC 2047 words (=?UTF-8?B?…?=), decoded and joined.
std::string decoded_words(const std::string& header);
// A header of a message or a MIME part (the first of that name, unfolded), or empty.
std::string header_of(const std::string& entity, const std::string& name);
// The content of `message`'s part of that type (text/plain, text/html),
// its transfer encoding undone: a part of a multipart message, or the
// message's own body when it is of that type. Empty when it has none.
std::string mime_part(const std::string& message, const std::string& type);

class smtp_receiver {
public:
    smtp_receiver();
    ~smtp_receiver();
    smtp_receiver(const smtp_receiver&) = delete;
    smtp_receiver& operator=(const smtp_receiver&) = delete;

    std::string url() const;  // smtp://127.0.0.1:<port>
    // Blocks until at least `count` mails have arrived; throws after `timeout`.
    std::vector<received_mail> wait_for(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::vector<received_mail> mails() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::test
