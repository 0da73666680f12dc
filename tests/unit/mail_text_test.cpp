// What a notification's e-mail says and how it goes on the wire: headers
// that hold one line each whatever a user's name holds, words outside
// ASCII encoded, lines ending CRLF and short enough for SMTP.
#include "smtp_receiver.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/notify/mailer.hpp"

#include <boost/test/unit_test.hpp>

using namespace switchboard;

namespace {

// The header lines of a wire message, each unfolded (a line that starts
// with a space goes on the one before).
std::vector<std::string> header_lines(const std::string& wire) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        auto end = wire.find("\r\n", at);
        if (end == std::string::npos || end == at) break;
        auto line = wire.substr(at, end - at);
        if (line.starts_with(" ") && !out.empty()) out.back() += line;
        else out.push_back(line);
        at = end + 2;
    }
    return out;
}

std::string header(const std::string& wire, const std::string& name) {
    for (auto& line : header_lines(wire))
        if (line.starts_with(name + ": ")) return line.substr(name.size() + 2);
    return {};
}

notify::notification mention(std::string name, std::string text) {
    notify::notification n;
    n.type = "mention";
    n.agent = "bob";
    n.actor = "lea";
    n.conversation = "15550100";
    n.name = std::move(name);
    n.text = std::move(text);
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mail_text)

BOOST_AUTO_TEST_CASE(each_kind_says_what_happened_and_links_to_the_conversation) {
    auto note = mention("Ana", "@bob look");
    note.seq = 41;
    auto m = notify::notification_mail(note, "bob@example.com", "https://support.example.test");
    BOOST_TEST(m.to == "bob@example.com");
    BOOST_TEST(m.subject == "lea mentioned you: Ana (+15550100)");
    // At the note.
    BOOST_TEST(m.body.find("@bob look\n\nOpen it: https://support.example.test/#conversation=15550100&message=41\n") !=
               std::string::npos, m.body);
    auto n = mention("", "");
    n.type = "assigned";
    n.actor = "";
    BOOST_TEST(notify::notification_mail(n, "b@example.com", "http://h/").subject == "A chat for you: +15550100");
    BOOST_TEST(notify::notification_mail(n, "b@example.com", "http://h/").body.starts_with(
        "Automatic routing gave you the chat with +15550100."));
    // A chat handed over is no message of its own: the chat opens at its newest.
    BOOST_TEST(notify::notification_mail(n, "b@example.com", "http://h/").body.find(
                   "Open it: http://h/#conversation=15550100\n") != std::string::npos);
    n.type = "sla_missed";
    n.target = "first_reply";
    BOOST_TEST(notify::notification_mail(n, "b@example.com", "http://h/").body.starts_with(
        "Your chat with +15550100 is past its first reply target."));
    n.type = "message";
    n.text = "where is it?";
    BOOST_TEST(notify::notification_mail(n, "b@example.com", "http://h/").subject ==
               "+15550100 wrote in a conversation you follow");
}

BOOST_AUTO_TEST_CASE(headers_hold_one_line_each_and_words_outside_ascii_are_encoded) {
    // A user's name with a line break in it would start a header of its own.
    auto m = notify::notification_mail(mention("Ann\r\nBcc: eve@example.com", "hi"), "bob@example.com", "http://h/");
    auto wire = notify::wire_message(m, "Support <support@example.com>", {}, "mail_1@switchboard");
    for (auto& line : header_lines(wire)) BOOST_TEST(!line.starts_with("Bcc"), line);
    BOOST_TEST(header(wire, "Subject") == "lea mentioned you: Ann  Bcc: eve@example.com (+15550100)");
    BOOST_TEST(header(wire, "To") == "<bob@example.com>");
    BOOST_TEST(header(wire, "From") == "Support <support@example.com>");
    BOOST_TEST(header(wire, "Message-ID") == "<mail_1@switchboard>");
    BOOST_TEST(header(wire, "Date") == "Thu, 01 Jan 1970 00:00:00 +0000");

    // A long subject outside ASCII: words of at most 75 characters, folded,
    // never cut inside a character; a sender's name likewise.
    std::string name;
    for (int i = 0; i < 30; ++i) name += "Zoëë ";  // 7 bytes: words of 45 would cut an ë
    auto long_one = notify::notification_mail(mention(name, "hi"), "bob@example.com", "http://h/");
    auto wire2 = notify::wire_message(long_one, "Équipe support <support@example.com>", {}, "mail_2@switchboard");
    auto subject = header(wire2, "Subject");
    BOOST_TEST(test::decoded_words(subject) == long_one.subject);
    std::size_t at = 0;
    for (auto start = subject.find("=?"); start != std::string::npos; start = subject.find("=?", at)) {
        at = subject.find("?=", start) + 2;
        BOOST_TEST(at - start <= 75u);
        auto text = test::decoded_words(subject.substr(start, at - start));
        BOOST_TEST(chat::utf8_length(text).has_value(), text);  // whole characters in each word
    }
    auto from = header(wire2, "From");
    BOOST_TEST(from.ends_with(" <support@example.com>"), from);
    BOOST_TEST(test::decoded_words(from) == "Équipe support");
}

BOOST_AUTO_TEST_CASE(the_body_goes_in_crlf_lines_short_enough_for_smtp) {
    notify::mail m{"bob@example.com", "s", "one\ntwo\r\n" + std::string(2000, 'x') + "\nlast"};
    auto wire = notify::wire_message(m, "support@example.com", {}, "id@x");
    auto body = wire.substr(wire.find("\r\n\r\n") + 4);
    BOOST_TEST(body.starts_with("one\r\ntwo\r\n"));
    BOOST_TEST(body.ends_with("\r\nlast\r\n"));
    std::size_t at = 0, longest = 0;
    for (auto end = body.find("\r\n"); end != std::string::npos; at = end + 2, end = body.find("\r\n", at))
        longest = std::max(longest, end - at);
    BOOST_TEST(longest <= 998u);
    BOOST_TEST(body.find('\n') == body.find("\r\n") + 1);  // no bare line feed
    BOOST_TEST(std::count(body.begin(), body.end(), 'x') == 2000);
    BOOST_TEST(notify::bare_address("Support <support@example.com>") == "support@example.com");
    BOOST_TEST(notify::bare_address("support@example.com") == "support@example.com");
}

// A mail with a page goes as the text and the page, alternatives: the text
// readable as sent, the page in base64 lines short enough for SMTP, whatever
// its own lines' length.
BOOST_AUTO_TEST_CASE(a_page_goes_beside_the_text_as_its_alternative) {
    std::string page = "<p>" + std::string(3000, 'y') + "</p>\n<p>Zoë &amp; you</p>";
    notify::mail m{"ana@example.com", "Your conversation with us", "Hello Ana,\nZoë here", page};
    auto wire = notify::wire_message(m, "support@example.com", {}, "mail_7@switchboard");
    auto type = test::header_of(wire, "Content-Type");
    BOOST_TEST(type.starts_with("multipart/alternative; boundary=\""), type);
    BOOST_TEST(test::mime_part(wire, "text/plain") == "Hello Ana,\r\nZoë here");
    BOOST_TEST(test::mime_part(wire, "text/html") == page);
    auto body = wire.substr(wire.find("\r\n\r\n") + 4);
    std::size_t at = 0, longest = 0;
    for (auto end = body.find("\r\n"); end != std::string::npos; at = end + 2, end = body.find("\r\n", at))
        longest = std::max(longest, end - at);
    BOOST_TEST(longest <= 78u);
    BOOST_TEST(body.ends_with("--\r\n"));  // the close delimiter

    // Without one, the text alone, as before.
    m.html.clear();
    auto plain = notify::wire_message(m, "support@example.com", {}, "mail_8@switchboard");
    BOOST_TEST(test::header_of(plain, "Content-Type") == "text/plain; charset=utf-8");
    BOOST_TEST(test::mime_part(plain, "text/html") == "");
}

// A followed conversation's messages mail an away agent once a quiet
// spell; every other kind goes each time.
BOOST_AUTO_TEST_CASE(a_followed_conversation_mails_its_messages_once_a_quiet_spell) {
    notify::mail_pacer pacer(std::chrono::minutes(10));
    auto at = [](int minutes) { return timestamp{} + std::chrono::hours(1000) + std::chrono::minutes(minutes); };
    auto message = [&](std::string agent, std::string phone, int minutes) {
        notify::notification n;
        n.type = "message";
        n.agent = std::move(agent);
        n.conversation = std::move(phone);
        n.created_at = at(minutes);
        return n;
    };
    BOOST_TEST(pacer.due(message("bob", "1555", 0)));
    BOOST_TEST(!pacer.due(message("bob", "1555", 1)));
    BOOST_TEST(pacer.due(message("bob", "1666", 1)));   // another conversation
    BOOST_TEST(pacer.due(message("carol", "1555", 1)));  // another agent
    auto mentioned = message("bob", "1555", 2);
    mentioned.type = "mention";
    BOOST_TEST(pacer.due(mentioned));
    BOOST_TEST(pacer.due(mentioned));
    BOOST_TEST(!pacer.due(message("bob", "1555", 9)));
    BOOST_TEST(pacer.due(message("bob", "1555", 10)));  // ten minutes after the last that went
}

BOOST_AUTO_TEST_SUITE_END()
