// POST /conversations/{phone}/transcript/email: the conversation as the user
// saw it, e-mailed to them (Chatwoot's "Send transcript"): to the address
// given, or to the `email` among their details. Their messages, the bot's
// and the agents' that reached them, oldest first; never a private note, a
// system note or a message that was not delivered. As text, and as a page
// beside it for the mail programs that show one. Through the mailer that
// e-mails agents (--smtp-url).
#include "audit.hpp"
#include "request_helpers.hpp"
#include "transcript_mail.hpp"

#include "switchboard/core/html_text.hpp"
#include "switchboard/core/time.hpp"
#include "switchboard/notify/mailer.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// The newest this many: a mail of a long history is cut at its start, and says so.
constexpr std::size_t most_messages = 2000;

bool user_saw(const chat::message& m) {
    if (m.kind == "note" || m.kind == "system") return false;
    return m.from == chat::sender::user || m.status != chat::message_status::failed;
}

std::string first_name(const chat::conversation& c) {
    if (c.name.empty()) return {};
    return c.name.substr(0, c.name.find(' '));
}

// The mail: a greeting, then each message, as text ("[time] who: text")
// and as a page, where the user's are on the right, as their phone shows
// them, and the team's on the left.
struct transcript_mail {
    const store::store& store;
    const auth::agents_service& agents;
    std::shared_ptr<const chat::conversation> c;
    std::size_t included = 0;

    notify::mail operator()() {
        auto before = c->last_seq + 1;
        std::vector<chat::message> kept;  // newest first while read
        while (before > 1 && kept.size() < most_messages) {
            auto page = store.load_messages(c->phone, before, 500);
            if (page.empty()) break;
            before = page.front().seq;
            for (auto it = page.rbegin(); it != page.rend() && kept.size() < most_messages; ++it)
                if (user_saw(*it)) kept.push_back(std::move(*it));
        }
        included = kept.size();
        bool cut = before > 1 && kept.size() == most_messages;
        std::reverse(kept.begin(), kept.end());
        notify::mail out;
        out.subject = "Your conversation with us";
        out.body = text(kept, cut);
        out.html = page(kept, cut);
        return out;
    }

    std::string greeting() const {
        auto name = first_name(*c);
        return "Hello" + (name.empty() ? std::string() : " " + name) + ",";
    }

    static std::string cut_note() {
        return "It is long: these are its latest " + std::to_string(most_messages) + " messages.";
    }

    std::string text(const std::vector<chat::message>& oldest_first, bool cut) const {
        std::string out = greeting() + "\n\nHere is your conversation with us, oldest first (times in UTC).\n";
        if (cut) out += cut_note() + "\n";
        out += "\n";
        for (auto& m : oldest_first) out += "[" + utc_minute(m.at) + "] " + who(m) + ": " + m.text + "\n";
        return out;
    }

    // Styled inline, and laid out by a table: what mail programs keep.
    std::string page(const std::vector<chat::message>& oldest_first, bool cut) const {
        std::string out =
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width\"><title>Your conversation with us</title></head>\n"
            "<body style=\"margin:0;padding:16px;background:#f3f4f6;font-family:-apple-system,'Segoe UI',Helvetica,"
            "Arial,sans-serif;font-size:15px;line-height:1.4;color:#1f2937\">\n"
            "<div style=\"max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:20px\">\n";
        out += "<p style=\"margin:0 0 8px\">" + html_escaped(greeting()) + "</p>\n";
        out += "<p style=\"margin:0 0 16px;color:#4b5563\">Here is your conversation with us, oldest first (times in UTC).";
        if (cut) out += " " + cut_note();
        out += "</p>\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\">\n";
        for (auto& m : oldest_first) {
            bool theirs = m.from == chat::sender::user;
            std::string side = theirs ? "right" : "left", shade = theirs ? "#dcf8c6" : "#eef2f7";
            out += "<tr><td align=\"" + side + "\" style=\"padding:4px 0\">";
            out += "<div style=\"display:inline-block;max-width:85%;text-align:left;border-radius:10px;padding:8px 12px;"
                   "background:" + shade + "\">";
            out += "<div style=\"font-size:12px;color:#6b7280\">" + html_escaped(who(m)) + " · " + utc_minute(m.at) + "</div>";
            out += "<div>" + html_escaped(m.text, true) + "</div></div></td></tr>\n";
        }
        out += "</table>\n</div>\n</body></html>\n";
        return out;
    }

    std::string who(const chat::message& m) const {
        if (m.from == chat::sender::user) return "You";
        if (m.from == chat::sender::admin) {
            auto a = agents.find(m.agent);
            return a && !a->display_name.empty() ? a->display_name : m.agent;
        }
        return "Bot";
    }
};

awaitable<http::response> email_transcript(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = req.body.empty() ? json::object{} : object_body(req);
    auto to = trimmed_field(o, "to", false, 254);
    if (!sends_mail(ctx))
        co_return not_configured(std::string(mail_not_set_up));
    auto mailing = mail_transcript(ctx, std::move(phone), std::move(to), who.username);  // by name: GCC 12
    auto sent = co_await std::move(mailing);
    if (!sent.queued)
        co_return http::response::error(503, "mail_queue_full", std::string(mail_queue_full));
    co_return json_response(202, json::object{{"to", sent.to}, {"messages", sent.messages}});
}

}  // namespace

awaitable<transcript_mailed> mail_transcript(api_context& ctx, std::string phone, std::string to, std::string by) {
    auto v = co_await ctx.engine.view(phone);
    if (!v) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    if (to.empty()) {
        auto& details = v->record->attributes;
        auto email = std::find_if(details.begin(), details.end(), [](auto& kv) { return kv.first == "email"; });
        if (email == details.end())
            throw field_error{"to", "the user has no email among their details: give the address to send it to"};
        to = email->second;
    }
    if (auto why = auth::validate_email(to); !why.empty()) throw field_error{"to", why};

    transcript_mail render{ctx.store, ctx.agents, v->record};
    auto mail = co_await scan(ctx, render);
    if (render.included == 0)
        throw chat::command_error(chat::command_error::kind::conflict, "the user has seen no message yet: nothing to send");
    mail.to = to;
    transcript_mailed sent{to, render.included, false};
    if (!ctx.mailer->send(std::move(mail))) co_return sent;
    sent.queued = true;
    json::object details{{"to", to}, {"messages", render.included}};
    auto auditing = audit(ctx, by, "transcript.emailed", phone, std::move(details));
    co_await std::move(auditing);
    co_return sent;
}

void add_transcript_mail_route(http::router& routes, api_context& ctx) {
    routes.add(http::verb::post, "/conversations/{phone}/transcript/email",
               authed(ctx, [&ctx](http::request& r, const auth::agent& w) { return email_transcript(ctx, r, w); }));
}

}  // namespace switchboard::api
