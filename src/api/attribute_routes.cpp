// GET /custom-attributes, PUT /custom-attributes/{key}, DELETE
// /custom-attributes/{key}: the custom attributes (attribute_catalog.hpp).
// Everyone reads them, admins write them; every console hears of a change
// as `custom_attributes.updated`, with the whole catalog. A user's own
// details are set by PUT /conversations/{phone}/attributes
// (conversation_routes.cpp), checked against it there.
#include "attribute_catalog.hpp"
#include "audit.hpp"
#include "command_fields.hpp"
#include "request_helpers.hpp"

#include "switchboard/chat/conversation.hpp"
#include "switchboard/chat/bot.hpp"
#include "switchboard/http/message.hpp"
#include "switchboard/ws/hub.hpp"

#include <boost/json/array.hpp>

namespace switchboard::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::array catalog_json(const attribute_catalog& attributes) {
    json::array out;
    for (auto& a : attributes.list()) out.push_back(attribute_json(a));
    return out;
}

void announce(api_context& ctx, const attribute_catalog& attributes) {
    ctx.hub.publish({"custom_attributes.updated", "", {{"custom_attributes", catalog_json(attributes)}},
                     std::chrono::system_clock::now()});
}

// The key in the path, as a user's details key it (`Signed up` is signed_up).
std::string path_key(const http::request& req) {
    auto key = chat::attribute_key_from(req.param("key"));
    if (!key) throw field_error{"key", "an attribute's key is 1 to 32 characters of a-z, 0-9, - and _ (spaces become _)"};
    if (is_contact_column(*key))
        throw field_error{"key", "an attribute cannot be named " + *key + ": the contacts' file has a column of that name"};
    return std::move(*key);
}

// A list's choices: 1 to max_list_values texts on one line, each once in
// any case. None for the other types.
std::vector<std::string> values_field(const json::object& o, attribute_type type) {
    auto* v = o.if_contains("values");
    bool given = v && !v->is_null() && !(v->is_array() && v->as_array().empty());
    if (type != attribute_type::list) {
        if (given) throw field_error{"values", "only a list has values"};
        return {};
    }
    auto rule = "values: a list's choices, 1 to " + std::to_string(max_list_values) + " texts of 1 to " +
                std::to_string(max_list_value_chars) + " characters on one line, each once";
    if (!given || !v->is_array() || v->as_array().size() > max_list_values) throw field_error{"values", rule};
    std::vector<std::string> values;
    for (auto& one : v->as_array()) {
        auto text = one.is_string() ? std::string(chat::trim(one.as_string())) : std::string();
        auto chars = chat::utf8_length(text).value_or(0);
        if (chars == 0 || chars > max_list_value_chars || !one_line(text)) throw field_error{"values", rule};
        for (auto& had : values)
            if (http::iequals(had, text)) throw field_error{"values", "values: " + text + " is there twice"};
        values.push_back(std::move(text));
    }
    return values;
}

awaitable<http::response> put_attribute(api_context& ctx, attribute_catalog& attributes, http::request& req,
                                        const auth::agent& who) {
    attribute_definition a;
    a.name = path_key(req);
    auto o = object_body(req);
    for (auto& field : o)
        if (field.key() != "display_name" && field.key() != "type" && field.key() != "description" &&
            field.key() != "values")
            throw field_error{std::string(field.key()), "unknown field " + std::string(field.key()) +
                                                            ": the fields are display_name, type, description and values"};
    a.display_name = one_line_field(o, "display_name", max_attribute_display_chars);
    if (a.display_name.empty()) a.display_name = a.name;
    auto type = attribute_type_from(string_field(o, "type", true));
    if (!type) throw field_error{"type", "type is one of text, number, link, date, list and checkbox"};
    a.type = *type;
    a.values = values_field(o, a.type);
    a.description = one_line_field(o, "description", max_attribute_description_chars);
    a.updated_by = who.username;
    a.updated_at = std::chrono::system_clock::now();
    auto put = co_await attributes.put(std::move(a));
    if (!put)
        throw chat::command_error(chat::command_error::kind::conflict,
                                  "there are " + std::to_string(max_attribute_definitions) +
                                      " custom attributes already, the most there are");
    announce(ctx, attributes);
    auto about = attribute_json(put->saved);
    json::object details{{"display_name", about.at("display_name")}, {"type", about.at("type")}};
    auto answering = audited_save(ctx, who.username, "custom_attribute", put->created, put->saved.name,
                                  std::move(details), std::move(about));  // named: GCC 12
    co_return co_await std::move(answering);
}

// The catalog forgets it; the users' details of that key stay, as plain text.
awaitable<http::response> delete_attribute(api_context& ctx, attribute_catalog& attributes, http::request& req,
                                           const auth::agent& who) {
    auto key = path_key(req);
    bool removed = co_await attributes.remove(key);
    if (!removed) throw chat::command_error(chat::command_error::kind::not_found, "no custom attribute " + key);
    announce(ctx, attributes);
    auto answering = audited_delete(ctx, who.username, "custom_attribute", key);  // named: GCC 12
    co_return co_await std::move(answering);
}

}  // namespace

std::shared_ptr<const attribute_catalog> add_attribute_routes(http::router& routes, api_context& ctx) {
    auto attributes = std::make_shared<attribute_catalog>(ctx.store);
    routes.add(http::verb::get, "/custom-attributes",
               authed(ctx, [attributes](http::request&, const auth::agent&) -> awaitable<http::response> {
                   co_return json_response(200, {{"custom_attributes", catalog_json(*attributes)}});
               }));
    routes.add(http::verb::put, "/custom-attributes/{key}",
               authed(ctx, [&ctx, attributes](http::request& r, const auth::agent& w) {
                   return put_attribute(ctx, *attributes, r, w);
               }, true));
    routes.add(http::verb::delete_, "/custom-attributes/{key}",
               authed(ctx, [&ctx, attributes](http::request& r, const auth::agent& w) {
                   return delete_attribute(ctx, *attributes, r, w);
               }, true));
    return attributes;
}

}  // namespace switchboard::api
