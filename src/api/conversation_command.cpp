#include "conversation_command.hpp"

#include "command_fields.hpp"
#include "transcript_mail.hpp"

#include "switchboard/auth/agents.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/chat/json.hpp"
#include "switchboard/core/time.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace switchboard::api {

namespace json = boost::json;

namespace {

std::string label_field(const json::object& o) {
    auto* v = o.if_contains("label");
    auto label = v ? label_value(*v) : std::nullopt;
    if (!label) throw field_error{"label", std::string(label_rule)};
    return *label;
}

// "hours": a whole number from 1 to a year's.
std::chrono::hours hours_field(const json::object& o) {
    constexpr auto most = std::chrono::duration_cast<std::chrono::hours>(chat::max_snooze).count();
    auto* v = o.if_contains("hours");
    std::optional<std::uint64_t> n;
    if (v && v->is_int64() && v->as_int64() > 0) n = static_cast<std::uint64_t>(v->as_int64());
    if (v && v->is_uint64()) n = v->as_uint64();
    if (!n || *n > static_cast<std::uint64_t>(most))
        throw field_error{"hours", "hours must be a whole number from 1 to " + std::to_string(most)};
    return std::chrono::hours(*n);
}

}  // namespace

conversation_command read_command(api_context& ctx, const json::object& o, command_use use) {
    conversation_command c;
    c.action = string_field(o, "action", true, 32);
    const auto& a = c.action;
    if (a == "assign") {
        c.agent = transfer_target_field(ctx, o).username;
    } else if (a == "end") {
        c.text = closing_message_field(o);
    } else if (a == "snooze") {
        if (o.contains("hours")) {
            c.for_hours = hours_field(o);
        } else if (use == command_use::macro) {
            // A macro runs at any time after it is written: a time of day
            // written in it would soon be past.
            auto* v = o.if_contains("until");
            if (!v || !v->is_string() || v->as_string() != next_reply_keyword)
                throw field_error{"hours", "a macro snoozes for hours (1 to a year's) or until the user replies "
                                          "(\"until\":\"next_reply\")"};
            c.until = chat::until_next_reply;
        } else {
            c.until = snooze_until_field(o);
        }
    } else if (a == "priority") {
        c.priority = priority_field(o);
    } else if (a == "label" || a == "unlabel") {
        c.text = label_field(o);
    } else if (a == "team") {
        c.text = team_field(ctx, o);
    } else if (a == "note" || (a == "send" && use == command_use::macro)) {
        c.text = a == "note" ? trimmed_field(o, "text", true, max_text_chars) : string_field(o, "text", true, max_text_chars);
    } else if (a == "transcript" && use == command_use::macro) {
        // Where to: an address, or none for the `email` among the user's details when it runs.
        c.text = trimmed_field(o, "to", false, 254);
        if (auto why = c.text.empty() ? std::string() : auth::validate_email(c.text); !why.empty())
            throw field_error{"to", why};
    } else if (a == "follow" || a == "unfollow") {
        // Whom: an active agent; unset, whoever gives the command (runs the macro).
        if (o.contains("username")) c.agent = active_agent_field(ctx, o, "username").username;
    } else if (a != "return" && a != "read" && a != "mute" && a != "unmute") {
        throw field_error{"action", use == command_use::macro
                                        ? "action must be assign, return, end, snooze, read, priority, label, unlabel, "
                                          "team, follow, unfollow, mute, unmute, note, send or transcript"
                                        : "action must be assign, return, end, snooze, read, priority, label, unlabel, "
                                          "team, follow, unfollow, mute, unmute, note, macro or delete"};
    }
    return c;
}

json::object command_json(const conversation_command& c) {
    json::object o{{"action", c.action}};
    const auto& a = c.action;
    if (a == "assign") o["to"] = c.agent;
    if ((a == "follow" || a == "unfollow") && !c.agent.empty()) o["username"] = c.agent;
    if (a == "end" && !c.text.empty()) o["message"] = c.text;
    if (a == "label" || a == "unlabel") o["label"] = c.text;
    if (a == "team") o["team"] = c.text.empty() ? json::value(nullptr) : json::value(c.text);
    if (a == "note" || a == "send") o["text"] = c.text;
    if (a == "transcript" && !c.text.empty()) o["to"] = c.text;
    if (a == "priority") o["priority"] = chat::to_string(c.priority);
    if (a == "snooze") {
        if (c.for_hours.count() > 0)
            o["hours"] = c.for_hours.count();
        else if (c.until == chat::until_next_reply)
            o["until"] = next_reply_keyword;
        else
            o["until"] = chat::optional_time(c.until);
    }
    return o;
}

std::string fill_placeholders(std::string_view text, std::string_view user_name, std::string_view agent_name) {
    auto first = user_name.substr(0, user_name.find_first_of(" \t"));
    const std::pair<std::string_view, std::string_view> values[] = {
        {"{name}", user_name.empty() ? "there" : user_name},
        {"{first_name}", first.empty() ? "there" : first},
        {"{agent}", agent_name}};
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto at = std::find_if(std::begin(values), std::end(values), [&](auto& v) { return text.substr(i).starts_with(v.first); });
        if (at == std::end(values)) {
            out += text[i++];
        } else {
            out += at->second;
            i += at->first.size();
        }
    }
    return out;
}

namespace {

// The conversation as a command left it, for a command whose own answer is not it.
boost::asio::awaitable<chat::conversation> conversation_now(api_context& ctx, std::string phone) {
    auto reading = ctx.engine.find(phone);
    auto now = co_await std::move(reading);
    if (!now) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    co_return std::move(*now);
}

// A message written, then the conversation as it left it. A reply's
// placeholders are filled in first, as the console fills a saved reply's.
boost::asio::awaitable<chat::conversation> write_message(api_context& ctx, std::string phone, chat::agent_ref by,
                                                         std::string text, bool note) {
    // Each command made, then awaited, by name: GCC 12 mishandles temporaries inside co_await.
    if (note) {
        auto writing = ctx.engine.add_note(phone, by, text, std::string());
        co_await std::move(writing);
    } else {
        auto reading = ctx.engine.find(phone);
        auto before = co_await std::move(reading);
        auto filled = fill_placeholders(text, before ? std::string_view(before->name) : std::string_view(),
                                        by.display_name.empty() ? by.username : by.display_name);
        auto writing = ctx.engine.send(phone, by, std::move(filled), std::string());
        co_await std::move(writing);
    }
    auto reading = conversation_now(ctx, std::move(phone));
    co_return co_await std::move(reading);
}

// The transcript e-mailed to the user, then the conversation as it is: a
// step that cannot be done (no e-mail set up, no address) is refused, as
// the route refuses it, in words.
boost::asio::awaitable<chat::conversation> mail_transcript_step(api_context& ctx, std::string phone, std::string to,
                                                                std::string by) {
    using chat::command_error;
    if (!sends_mail(ctx)) throw command_error(command_error::kind::conflict, std::string(mail_not_set_up));
    std::optional<std::string> refused;
    transcript_mailed sent;
    try {
        auto mailing = mail_transcript(ctx, phone, std::move(to), std::move(by));  // by name: see write_message
        sent = co_await std::move(mailing);
    } catch (const field_error& e) {
        refused = e.message;
    }
    if (refused) throw command_error(command_error::kind::conflict, std::move(*refused));
    if (!sent.queued) throw command_error(command_error::kind::conflict, std::string(mail_queue_full));
    auto reading = conversation_now(ctx, std::move(phone));
    co_return co_await std::move(reading);
}

}  // namespace

// Not a coroutine: it only picks the engine's command, which takes its
// arguments into its own frame.
boost::asio::awaitable<chat::conversation> run_command(api_context& ctx, std::string phone,
                                                       const conversation_command& c, const auth::agent& who) {
    auto by = as_ref(who);
    auto& engine = ctx.engine;
    const auto& a = c.action;
    if (a == "assign") {
        // Read again: the agent a macro names may have left since it was made.
        auto to = assignable_agent(ctx, c.agent);
        if (auto* why = std::get_if<std::string>(&to))
            throw chat::command_error(chat::command_error::kind::conflict, std::move(*why));
        return engine.transfer(std::move(phone), std::move(by), as_ref(std::get<auth::agent>(to)));
    }
    if (a == "return") return engine.return_to_queue(std::move(phone), std::move(by));
    if (a == "end") return engine.end_chat(std::move(phone), std::move(by), c.text);
    if (a == "snooze") {
        auto until = c.for_hours.count() > 0 ? std::optional<timestamp>(std::chrono::system_clock::now() + c.for_hours)
                                             : c.until;
        return engine.snooze(std::move(phone), std::move(by), until);
    }
    if (a == "read") return engine.mark_read(std::move(phone), std::move(by), UINT64_MAX);
    if (a == "mute" || a == "unmute") return engine.set_muted(std::move(phone), std::move(by), a == "mute");
    if (a == "priority") return engine.set_priority(std::move(phone), std::move(by), c.priority);
    if (a == "label" || a == "unlabel") return engine.set_label(std::move(phone), std::move(by), c.text, a == "label");
    if (a == "follow" || a == "unfollow") {
        auto name = c.agent.empty() ? who.username : c.agent;
        // Read again, as for assign; and an automation is nobody to follow.
        auto follower = assignable_agent(ctx, name);
        if (auto* why = std::get_if<std::string>(&follower))
            throw chat::command_error(chat::command_error::kind::conflict, std::move(*why));
        return engine.set_participant(std::move(phone), std::move(name), a == "follow");
    }
    if (a == "team") {
        // Read again: the team a macro names may have gone since it was made.
        if (auto why = c.text.empty() ? std::nullopt : missing_team(ctx, c.text))
            throw chat::command_error(chat::command_error::kind::conflict, std::move(*why));
        return engine.set_team(std::move(phone), std::move(by), c.text);
    }
    if (a == "transcript") return mail_transcript_step(ctx, std::move(phone), c.text, who.username);
    return write_message(ctx, std::move(phone), std::move(by), c.text, a == "note");
}

}  // namespace switchboard::api
