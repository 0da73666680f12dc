// A WhatsApp template an agent sends, read from a body: by send-template in
// the agent's chat, and as the first message of a conversation they open
// with a user who has not written (POST /conversations). Internal to src/api.
#pragma once

#include "request_helpers.hpp"

#include "switchboard/channels/templates.hpp"

#include <string>
#include <variant>

namespace switchboard::api {

// What the body names: the template and the values to fill it with.
struct template_request {
    std::string name, language;
    channels::template_fill fill;
};

// `o`'s name, language, parameters, header_value, header_media_url and
// button_values; field_error naming the one of the wrong shape.
template_request template_request_field(const boost::json::object& o);

// The template filled in, once WhatsApp's approved list has it and the
// values fit it (field_error naming what does not); or the answer to give
// when there is no list to be had (409 not configured, 502 from Meta).
boost::asio::awaitable<std::variant<chat::outgoing_template, http::response>> approved_template(api_context& ctx,
                                                                                              template_request r);

// The body's "template", an object of those fields, filled in as
// approved_template fills it; field_error naming `template.<field>`, or
// `template` with `required_why` when there is none.
boost::asio::awaitable<std::variant<chat::outgoing_template, http::response>> template_in(
    api_context& ctx, const boost::json::object& body, std::string required_why);

}  // namespace switchboard::api
