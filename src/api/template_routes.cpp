// WhatsApp's approved message templates: GET /whatsapp/templates lists the
// ones an agent can send, and POST /conversations/{phone}/chat-support/
// send-template sends one, filled in, in the agent's chat. Past WhatsApp's
// 24-hour window a template is the only message a user can be sent.
#include "template_request.hpp"

#include "switchboard/chat/json.hpp"

#include <algorithm>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object template_json(const channels::message_template& t) {
    json::array names;
    for (auto& n : t.parameter_names) names.emplace_back(n);
    json::array buttons;
    for (auto& b : t.button_variables) {
        json::object button{{"type", b.type}, {"text", b.text}};
        if (b.type == "url") button["url"] = b.url;
        buttons.push_back(std::move(button));
    }
    auto or_null = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
    return {{"name", t.name},
            {"language", t.language},
            {"category", t.category},
            {"header", t.header},
            {"header_variable", or_null(t.header_variable)},
            {"header_media", or_null(t.header_media)},
            {"body", t.body},
            {"footer", t.footer},
            {"parameters", t.parameters},
            {"parameter_names", std::move(names)},
            {"button_variables", std::move(buttons)}};
}

// The templates, or the answer that says why there are none to be had.
awaitable<std::variant<channels::template_list, http::response>> read_templates(api_context& ctx) {
    if (!ctx.templates.configured())
        co_return not_configured("WhatsApp templates are not set up: the server needs --wa-business-account-id, the "
                                 "account the templates belong to");
    auto list = co_await ctx.templates.list();
    if (!list.templates)
        co_return http::response::error(502, "templates_unavailable",
                                        "WhatsApp's templates could not be read: " + list.error);
    co_return list;
}

awaitable<http::response> list_templates(api_context& ctx, http::request&, const auth::agent&) {
    auto read = co_await read_templates(ctx);
    if (auto* refused = std::get_if<http::response>(&read)) co_return std::move(*refused);
    json::array out;
    for (auto& t : *std::get<channels::template_list>(read).templates) out.push_back(template_json(t));
    co_return json_response(200, {{"templates", std::move(out)}});
}

// An optional array of strings, `why` when it is anything else.
std::vector<std::string> strings_field(const json::object& o, std::string_view name, const char* why) {
    std::vector<std::string> values;
    auto* v = o.if_contains(name);
    if (!v) return values;
    if (!v->is_array()) throw field_error{std::string(name), why};
    for (auto& p : v->as_array()) {
        if (!p.is_string()) throw field_error{std::string(name), why};
        values.emplace_back(p.as_string());
    }
    return values;
}

awaitable<http::response> send_template(api_context& ctx, http::request& req, const auth::agent& who) {
    auto phone = require_phone(req);
    auto o = object_body(req);
    auto wanted = template_request_field(o);
    auto client_id = string_field(o, "client_id", false, 128);

    // Refused as the send itself would refuse it before Meta is asked.
    auto v = co_await ctx.engine.view(phone);
    if (!v) throw chat::command_error(chat::command_error::kind::not_found, "no conversation with " + phone);
    if (auto why = chat::why_agent_cannot_send(*v->record, who.username, "templates"))
        throw chat::command_error(chat::command_error::kind::conflict, *why);

    auto filled = co_await approved_template(ctx, std::move(wanted));
    if (auto* refused = std::get_if<http::response>(&filled)) co_return std::move(*refused);
    auto m = co_await ctx.engine.send_template(phone, as_ref(who), std::get<chat::outgoing_template>(std::move(filled)),
                                               std::move(client_id));
    co_return json_response(201, chat::to_json(m));
}

}  // namespace

template_request template_request_field(const json::object& o) {
    template_request r;
    r.name = string_field(o, "name", true, 512);
    r.language = string_field(o, "language", true, 32);
    r.fill.body = strings_field(
        o, "parameters", "parameters must be an array of strings, {{1}} first (a named template's in parameter_names' order)");
    r.fill.header = string_field(o, "header_value", false, 4096);
    r.fill.header_media_url = string_field(o, "header_media_url", false, 4096);
    r.fill.buttons = strings_field(o, "button_values", "button_values must be an array of strings, in button_variables' order");
    return r;
}

awaitable<std::variant<chat::outgoing_template, http::response>> approved_template(api_context& ctx,
                                                                                  template_request r) {
    auto read = co_await read_templates(ctx);
    if (auto* refused = std::get_if<http::response>(&read)) co_return std::move(*refused);
    auto& templates = *std::get<channels::template_list>(read).templates;
    auto t = std::find_if(templates.begin(), templates.end(), [&](const channels::message_template& approved) {
        return approved.name == r.name && approved.language == r.language;
    });
    if (t == templates.end())
        throw field_error{"name", "WhatsApp has no approved template " + r.name + " in " + r.language +
                                      " that agents can send"};
    if (auto misfit = channels::why_fill_does_not_fit(*t, r.fill)) throw field_error{misfit->field, misfit->why};
    co_return chat::outgoing_template{channels::filled_in(*t, r.fill), channels::template_send_object(*t, r.fill)};
}

awaitable<std::variant<chat::outgoing_template, http::response>> template_in(api_context& ctx, const json::object& body,
                                                                           std::string required_why) {
    auto* t = body.if_contains("template");
    if (!t || !t->is_object()) throw field_error{"template", std::move(required_why)};
    std::variant<chat::outgoing_template, http::response> filled;
    try {
        auto wanted = template_request_field(t->as_object());
        auto approving = approved_template(ctx, std::move(wanted));  // named: GCC 12
        filled = co_await std::move(approving);
    } catch (field_error& e) {
        e.field = "template." + e.field;
        throw;
    }
    co_return filled;
}

void add_template_routes(http::router& routes, api_context& ctx) {
    routes.add(http::verb::get, "/whatsapp/templates",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return list_templates(ctx, req, who); }));
    routes.add(http::verb::post, "/conversations/{phone}/chat-support/send-template",
               authed(ctx, [&ctx](http::request& req, const auth::agent& who) { return send_template(ctx, req, who); }));
}

}  // namespace switchboard::api
