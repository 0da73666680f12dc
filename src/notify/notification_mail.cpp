// What an e-mail about a notification says, and how it goes on the wire.
#include "switchboard/notify/mailer.hpp"

#include <openssl/evp.h>

#include <ctime>

namespace switchboard::notify {

namespace {

// A header's text on one line: a user's name may hold anything.
std::string one_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    return out;
}

bool ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// RFC 2047's encoded words, each under its 75 characters, cut between code
// points; folded onto lines of their own.
std::string encoded_words(std::string_view text) {
    constexpr std::size_t bytes_a_word = 45;  // 60 in base64, with the 12 of =?UTF-8?B?…?=
    std::string out;
    while (!text.empty()) {
        auto cut = std::min(bytes_a_word, text.size());
        while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside one
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(text.substr(0, cut)) + "?=";
        text.remove_prefix(cut);
    }
    return out;
}

// "Name <address>" with a name outside ASCII as encoded words; the address stays.
std::string mailbox(std::string_view from) {
    auto text = one_line(from);
    auto open = text.rfind('<');
    if (open == std::string::npos || ascii(text)) return text;
    auto name = std::string_view(text).substr(0, open);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    return encoded_words(name) + " " + text.substr(open);
}

std::string rfc5322_date(timestamp at) {
    auto t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// SMTP takes lines of at most 998 bytes: a longer one goes on over the next.
void append_line(std::string& out, std::string_view line) {
    constexpr std::size_t most = 900;
    while (line.size() > most) {
        auto cut = most;
        while ((static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        out.append(line.substr(0, cut)).append("\r\n");
        line.remove_prefix(cut);
    }
    out.append(line).append("\r\n");
}

// A text/plain part's headers and its lines, as 8bit: readable as sent.
void append_text_part(std::string& out, std::string_view body) {
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
    while (!body.empty()) {
        auto end = body.find('\n');
        auto line = body.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        append_line(out, line);
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
}

std::string_view target_words(std::string_view target) {
    if (target == "first_reply") return "first reply";
    if (target == "next_reply") return "next reply";
    if (target == "resolution") return "resolution";
    return target;
}

}  // namespace

bool mail_pacer::due(const notification& n) {
    if (n.type != "message") return true;
    auto& last = last_[{n.agent, n.conversation}];
    if (last != timestamp{} && n.created_at - last < quiet_) return false;
    last = n.created_at;
    // Forgets the quiet ones now and then, so that a year of conversations is not kept.
    if (last_.size() > 10'000) std::erase_if(last_, [&](auto& entry) { return n.created_at - entry.second >= quiet_; });
    return true;
}

std::string_view bare_address(std::string_view from) {
    auto open = from.rfind('<');
    auto close = from.rfind('>');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return from;
    return from.substr(open + 1, close - open - 1);
}

std::string console_link(std::string_view console_url, std::string_view fragment) {
    std::string out(console_url);
    if (!out.empty() && out.back() != '/') out += '/';
    return out + "#" + std::string(fragment);
}

mail notification_mail(const notification& n, std::string_view to, std::string_view console_url) {
    auto phone = "+" + n.conversation;
    auto who = n.name.empty() ? phone : n.name + " (" + phone + ")";
    auto actor = n.actor.empty() ? std::string("Automatic routing") : n.actor;
    mail m{std::string(to), {}, {}};
    if (n.type == "mention") {
        m.subject = actor + " mentioned you: " + who;
        m.body = actor + " mentioned you in a private note in the conversation with " + who + ":\n\n" + n.text;
    } else if (n.type == "assigned") {
        m.subject = "A chat for you: " + who;
        m.body = actor + " gave you the chat with " + who + ".";
    } else if (n.type == "sla_missed") {
        m.subject = "Past its target: your chat with " + who;
        m.body = "Your chat with " + who + " is past its " + std::string(target_words(n.target)) + " target.";
    } else {  // message: in a conversation they follow
        m.subject = who + " wrote in a conversation you follow";
        m.body = who + " wrote:\n\n" + n.text;
    }
    // At the note that mentions them, or the message written: the console opens the chat there.
    auto fragment = "conversation=" + n.conversation;
    if (n.seq != 0) fragment += "&message=" + std::to_string(n.seq);
    m.body += "\n\nOpen it: " + console_link(console_url, fragment) +
              "\n\n-- \nSwitchboard, while no console of yours is open. To get no more, clear your e-mail address "
              "in the console's Team dialog.";
    return m;
}

std::string wire_message(const mail& m, std::string_view from, timestamp at, std::string_view message_id) {
    auto subject = one_line(m.subject);
    std::string out;
    out += "Date: " + rfc5322_date(at) + "\r\n";
    out += "From: " + mailbox(from) + "\r\n";
    out += "To: <" + one_line(m.to) + ">\r\n";
    out += "Subject: " + (ascii(subject) ? subject : encoded_words(subject)) + "\r\n";
    out += "Message-ID: <" + one_line(message_id) + ">\r\n";
    out += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no vacation replies to it
    out += "MIME-Version: 1.0\r\n";
    if (m.html.empty()) {
        append_text_part(out, m.body);
        return out;
    }
    // '_' is in no base64 text, and the text part would have to hold this
    // message's own id to hold the boundary.
    auto boundary = "=_switchboard_" + base64(message_id).substr(0, 40);
    out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n";
    append_text_part(out, m.body);
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/html; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    auto encoded = base64(m.html);
    for (std::size_t at = 0; at < encoded.size(); at += 76) out.append(encoded, at, 76).append("\r\n");
    out += "--" + boundary + "--\r\n";
    return out;
}

}  // namespace switchboard::notify
