// WhatsApp's message templates. Past the 24-hour window since a user last
// wrote, WhatsApp takes from a business only a template its reviewers
// approved, so a template is how an agent reaches that user again. The
// templates live in Meta's Business Manager and belong to the WhatsApp
// Business Account (--wa-business-account-id); they are read from the Graph
// API (GET /{waba_id}/message_templates), kept for a minute, and never
// copied into the store: Meta's list is the one truth about what is approved.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace switchboard::channels {

// A button of a template that takes a value when it is sent: a link whose
// address ends in {{1}} (the value completes it), or a code the user copies.
struct template_button {
    std::size_t index = 0;  // its place among all the template's buttons, as Meta counts them
    std::string type;       // "url" | "copy_code"
    std::string text;       // what the button says
    std::string url;        // a link's address, {{1}} at its end; empty for a code
};

// One approved template that an agent can send: its variables are the
// body's, numbered ({{1}}…{{n}}) or named ({{first_name}}, Meta's
// "parameter_format":"NAMED"), at most one in a text header, a photo, video
// or document header given by a link, and links and codes in its buttons.
// Not offered: a location header, and buttons of other kinds (flows,
// catalogs), which the console has nowhere to fill in.
struct message_template {
    std::string name;      // Meta's name: order_update
    std::string language;  // Meta's code: en_US
    std::string category;  // MARKETING | UTILITY
    std::string header;    // a header text, or empty
    std::string body;      // with {{1}}…{{n}} or {{name}}s where the agent's values go
    std::string footer;
    std::size_t parameters = 0;  // n
    // A named template's variables, in the order its values come (each
    // name's first place in the body); empty for a numbered one.
    std::vector<std::string> parameter_names = {};
    // The header's one variable as written between its braces ("1", or a
    // name), or empty when the header has none.
    std::string header_variable = {};
    // "image" | "video" | "document" for a media header (then `header` is
    // empty), or empty.
    std::string header_media = {};
    // The buttons that take a value, in Meta's order.
    std::vector<template_button> button_variables = {};
};

// What an agent fills a template with.
struct template_fill {
    std::vector<std::string> body;  // the body's values, {{1}} first (a named one's in parameter_names' order)
    std::string header;             // the text header's variable, or empty
    std::string header_media_url;   // the media header's file, an http(s) link Meta fetches, or empty
    std::vector<std::string> buttons;  // one a button_variables entry, in order
};

// Which field of a fill is wrong, and why.
struct fill_misfit {
    std::string field;  // parameters | header_value | header_media_url | button_values
    std::string why;
};

// One page of Meta's answer, the sendable templates kept.
struct template_page {
    std::vector<message_template> templates;
    std::string after;  // the cursor of the next page; empty at the last
    std::string error;  // the answer was not a template list
};
template_page parse_template_page(std::string_view body);

// n for a body whose variables are {{1}}…{{n}}, each at least once; nullopt
// for any other use of double braces (a named or skipped variable).
std::optional<std::size_t> body_parameter_count(std::string_view body);
// A named body's variables, each once, in the order they first appear;
// nullopt for any other use of double braces. A name is Meta's: lowercase
// letters, digits and underscores, not starting with a digit.
std::optional<std::vector<std::string>> body_parameter_names(std::string_view body);

// Why these values cannot fill `t`'s body (say which one), or nullopt: one
// per variable (in parameter_names' order for a named template), each 1 to
// 1024 characters of UTF-8 with no line break or tab (WhatsApp refuses
// those in a parameter).
std::optional<std::string> why_parameters_do_not_fit(const message_template& t, const std::vector<std::string>& values);
// The same for the value of the header's variable ("" when it has none), and
// a header of at most 60 characters once filled.
std::optional<std::string> why_header_value_does_not_fit(const message_template& t, const std::string& header_value);

// The same for a media header's link: required for a template with one
// (http or https, a host, at most 2048 characters, no spaces), refused for
// any other.
std::optional<std::string> why_header_media_does_not_fit(const message_template& t, const std::string& url);
// The same for the buttons' values: one a button that takes one. A link's
// value ends its address (no spaces; the whole at most 2000 characters); a
// code is at most 15 characters with no spaces (WhatsApp's limits).
std::optional<std::string> why_button_values_do_not_fit(const message_template& t,
                                                        const std::vector<std::string>& values);
// The first of the four above that refuses `fill`, with its field.
std::optional<fill_misfit> why_fill_does_not_fit(const message_template& t, const template_fill& fill);

// What the user reads: the header in bold on a line of its own (a media
// header as "[image] <link>"), then the body with the values in place, then
// the footer in italics.
std::string filled_in(const message_template& t, const template_fill& fill);

// The send API's "template" object for `t` filled with `fill`.
std::string template_send_object(const message_template& t, const template_fill& fill);

struct template_options {
    std::string wa_api_base;
    std::string wa_token;
    std::string business_account_id;  // empty: templates are not configured
    std::string ca_file;
    std::chrono::seconds request_timeout{30};
    std::chrono::seconds keep_for{60};  // a list read from Meta is used again this long
};

struct template_list {
    std::shared_ptr<const std::vector<message_template>> templates;  // null when the list could not be had
    std::string error;                                               // then why, in words an agent can act on
};

class template_catalog {
public:
    template_catalog(boost::asio::io_context& ioc, template_options options);
    ~template_catalog();
    template_catalog(const template_catalog&) = delete;
    template_catalog& operator=(const template_catalog&) = delete;

    bool configured() const;
    // The approved templates, from Meta at most once per keep_for. Safe
    // from any executor; resumes the caller on its own.
    boost::asio::awaitable<template_list> list();
    // Ends the reads in flight (they answer "shutting down").
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace switchboard::channels
