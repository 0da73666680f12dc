#include "switchboard/channels/templates.hpp"

#include "switchboard/channels/provider_error.hpp"
#include "switchboard/chat/conversation.hpp"
#include "switchboard/http/message.hpp"

#include "../core/shared_result.hpp"
#include "http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace switchboard::channels {

namespace json = boost::json;

namespace {

constexpr std::size_t max_parameter_chars = 1024;
constexpr std::size_t max_body_chars = 1024;   // WhatsApp's limit for a template's body, filled in
constexpr std::size_t max_header_chars = 60;    // and for its text header
// Meta pages its list; this many pages of 100 is far past what a business has.
constexpr int max_pages = 20;

std::string string_of(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

bool has_variable(std::string_view text) { return text.find("{{") != std::string_view::npos; }

// The variables in `text` as written between their braces ("1",
// "first_name"), in order; nullopt when a "{{" is never closed.
std::optional<std::vector<std::string_view>> variables_in(std::string_view text) {
    std::vector<std::string_view> out;
    for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at)) {
        auto end = text.find("}}", at + 2);
        if (end == std::string_view::npos) return std::nullopt;
        out.push_back(text.substr(at + 2, end - at - 2));
        at = end + 2;
    }
    return out;
}

// `text` with each variable replaced by value_of(variable); its braces are closed (checked first).
template <class ValueOf>
std::string with_values(std::string_view text, ValueOf value_of) {
    std::string out;
    std::size_t from = 0;
    for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", from)) {
        auto end = text.find("}}", at);
        out.append(text.substr(from, at - from));
        out += value_of(text.substr(at + 2, end - at - 2));
        from = end + 2;
    }
    out.append(text.substr(from));
    return out;
}

bool is_parameter_name(std::string_view s) {
    auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; };
    return !s.empty() && s.size() <= 64 && !(s.front() >= '0' && s.front() <= '9') &&
           std::all_of(s.begin(), s.end(), ok);
}

// A text header's one variable ("1", or a name when `named`), "" for none,
// or nullopt for anything else: Meta allows one.
std::optional<std::string> header_variable_of(std::string_view text, bool named) {
    auto variables = variables_in(text);
    if (!variables || variables->size() > 1) return std::nullopt;
    if (variables->empty()) return std::string{};
    auto v = variables->front();
    if (named ? !is_parameter_name(v) : v != "1") return std::nullopt;
    return std::string(v);
}

// What a button needs from the agent: nothing (`fixed`), a value (`variable`),
// or something the console cannot give (not offered).
struct button_need {
    bool offered = false;
    std::optional<template_button> variable;
};

button_need need_of(const json::value& b, std::size_t index) {
    if (!b.is_object()) return {};
    auto& o = b.as_object();
    auto type = string_of(o, "type");
    if (type == "QUICK_REPLY" || type == "PHONE_NUMBER") return {true, {}};
    if (type == "COPY_CODE") {  // its label is WhatsApp's own, and Meta lists it with none
        auto text = string_of(o, "text");
        return {true, template_button{index, "copy_code", text.empty() ? "Copy offer code" : text, {}}};
    }
    if (type != "URL") return {};  // a flow, a catalog, a one-time password, …
    auto url = string_of(o, "url");
    if (!has_variable(url)) return {true, {}};
    // Meta allows one variable in a link, at its end.
    auto variables = variables_in(url);
    if (!variables || variables->size() != 1 || variables->front() != "1" || !url.ends_with("{{1}}")) return {};
    return {true, template_button{index, "url", string_of(o, "text"), std::move(url)}};
}

// The template as an agent can send it, or nullopt when it is not approved
// or needs a value the console cannot give (above, message_template).
std::optional<message_template> sendable(const json::value& v) {
    if (!v.is_object()) return std::nullopt;
    auto& o = v.as_object();
    if (string_of(o, "status") != "APPROVED") return std::nullopt;
    message_template t{string_of(o, "name"), string_of(o, "language"), string_of(o, "category"), {}, {}, {}, 0};
    if (t.name.empty() || t.language.empty() || t.category == "AUTHENTICATION") return std::nullopt;
    auto* components = o.if_contains("components");
    if (!components || !components->is_array()) return std::nullopt;
    bool named = string_of(o, "parameter_format") == "NAMED";
    bool has_body = false;
    for (auto& c : components->as_array()) {
        if (!c.is_object()) return std::nullopt;
        auto& part = c.as_object();
        auto type = string_of(part, "type");
        auto text = string_of(part, "text");
        if (type == "HEADER") {
            auto format = string_of(part, "format");
            if (format == "IMAGE" || format == "VIDEO" || format == "DOCUMENT") {
                t.header_media = format == "IMAGE" ? "image" : format == "VIDEO" ? "video" : "document";
                continue;
            }
            auto variable = header_variable_of(text, named);
            if (format != "TEXT" || !variable) return std::nullopt;  // a location, …
            t.header = std::move(text);
            t.header_variable = std::move(*variable);
        } else if (type == "BODY") {
            if (named) {
                auto names = body_parameter_names(text);
                if (!names) return std::nullopt;
                t.parameter_names = std::move(*names);
                t.parameters = t.parameter_names.size();
            } else {
                auto n = body_parameter_count(text);
                if (!n) return std::nullopt;
                t.parameters = *n;
            }
            t.body = std::move(text);
            has_body = true;
        } else if (type == "FOOTER") {
            t.footer = std::move(text);
        } else if (type == "BUTTONS") {
            auto* buttons = part.if_contains("buttons");
            if (!buttons || !buttons->is_array()) return std::nullopt;
            for (std::size_t i = 0; i < buttons->as_array().size(); ++i) {
                auto need = need_of(buttons->as_array()[i], i);
                if (!need.offered) return std::nullopt;
                if (need.variable) t.button_variables.push_back(std::move(*need.variable));
            }
        } else {
            return std::nullopt;  // a carousel, a limited-time offer, …
        }
    }
    if (!has_body) return std::nullopt;
    return t;
}

}  // namespace

std::optional<std::size_t> body_parameter_count(std::string_view body) {
    auto variables = variables_in(body);
    if (!variables) return std::nullopt;
    std::vector<bool> seen;
    for (auto digits : *variables) {
        if (digits.empty() || digits.size() > 2 || digits.front() == '0' ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        auto k = static_cast<std::size_t>(std::stoi(std::string(digits)));
        if (seen.size() < k) seen.resize(k);
        seen[k - 1] = true;
    }
    if (std::find(seen.begin(), seen.end(), false) != seen.end()) return std::nullopt;
    return seen.size();
}

std::optional<std::vector<std::string>> body_parameter_names(std::string_view body) {
    auto variables = variables_in(body);
    if (!variables) return std::nullopt;
    std::vector<std::string> names;
    for (auto name : *variables) {
        if (!is_parameter_name(name)) return std::nullopt;
        if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
    }
    return names;
}

namespace {

// Which of the values a variable ({{2}}, {{first_name}}) takes.
std::size_t value_index(const message_template& t, std::string_view variable) {
    if (t.parameter_names.empty()) return static_cast<std::size_t>(std::stoi(std::string(variable))) - 1;
    return static_cast<std::size_t>(std::find(t.parameter_names.begin(), t.parameter_names.end(), variable) -
                                    t.parameter_names.begin());
}

// The body with each variable replaced by its value; `values` fit (checked first).
std::string body_filled(const message_template& t, const std::vector<std::string>& values) {
    return with_values(t.body, [&](std::string_view variable) { return values[value_index(t, variable)]; });
}

// Why `v` cannot be the value of `which`, or nullopt.
std::optional<std::string> why_value_does_not_fit(const std::string& which, const std::string& v) {
    auto n = chat::utf8_length(v);
    if (!n) return which + " must be UTF-8 text";
    if (*n == 0 || v.find_first_not_of(' ') == std::string::npos) return which + " is empty";
    if (*n > max_parameter_chars) return which + " must be at most 1024 characters";
    if (v.find_first_of("\n\r\t") != std::string::npos)
        return which + " must be on one line: WhatsApp takes no line break or tab in a template's value";
    if (v.find("     ") != std::string::npos)
        return which + " has more than four spaces in a row, which WhatsApp refuses";
    return std::nullopt;
}

// The header's one variable, if any, replaced by `header_value`.
std::string header_filled(const message_template& t, const std::string& header_value) {
    return with_values(t.header, [&](std::string_view) { return header_value; });
}

bool has_space_or_control(std::string_view v) {
    return std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

// A link button's address with its value in place.
std::string url_filled(const template_button& b, const std::string& value) {
    return with_values(b.url, [&](std::string_view) { return value; });
}

// A document's name as the user's phone shows it: the link's last part.
std::string filename_of(const std::string& url) {
    auto path = std::string_view(url).substr(0, url.find_first_of("?#"));
    auto name = path.substr(path.rfind('/') + 1);
    auto decoded = http::percent_decode(name);
    return decoded && chat::utf8_length(*decoded) ? *decoded : std::string(name);
}

constexpr std::size_t max_media_url_chars = 2048;
constexpr std::size_t max_button_url_chars = 2000;  // WhatsApp's limit for a button's address
constexpr std::size_t max_code_chars = 15;          // and for a code to copy

}  // namespace

std::optional<std::string> why_parameters_do_not_fit(const message_template& t, const std::vector<std::string>& values) {
    if (values.size() != t.parameters)
        return t.name + " takes " + std::to_string(t.parameters) + (t.parameters == 1 ? " value" : " values") +
               ", and " + std::to_string(values.size()) + (values.size() == 1 ? " was" : " were") + " given";
    for (std::size_t i = 0; i < values.size(); ++i) {
        auto which = "{{" + (t.parameter_names.empty() ? std::to_string(i + 1) : t.parameter_names[i]) + "}}";
        if (auto why = why_value_does_not_fit(which, values[i])) return why;
    }
    if (auto n = chat::utf8_length(body_filled(t, values)); n && *n > max_body_chars)
        return "filled in, the template is over the 1024 characters WhatsApp takes";
    return std::nullopt;
}

std::optional<std::string> why_header_value_does_not_fit(const message_template& t, const std::string& header_value) {
    if (t.header_variable.empty())
        return header_value.empty() ? std::nullopt : std::optional(t.name + "'s header takes no value");
    if (auto why = why_value_does_not_fit("the header's {{" + t.header_variable + "}}", header_value)) return why;
    if (auto n = chat::utf8_length(header_filled(t, header_value)); n && *n > max_header_chars)
        return "filled in, the header is over the 60 characters WhatsApp takes";
    return std::nullopt;
}

std::optional<std::string> why_header_media_does_not_fit(const message_template& t, const std::string& url) {
    if (t.header_media.empty())
        return url.empty() ? std::nullopt : std::optional(t.name + "'s header takes no file");
    if (url.empty())
        return t.name + "'s header is a" + (t.header_media == "image" ? "n " : " ") + t.header_media +
               ": give the link WhatsApp fetches it from";
    if (url.size() > max_media_url_chars) return "the header's link must be at most 2048 characters";
    if (has_space_or_control(url)) return "the header's link must have no spaces";
    auto lower = url.substr(0, 8);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto rest = lower.starts_with("https://") ? url.substr(8) : lower.starts_with("http://") ? url.substr(7) : "";
    if (rest.empty() || rest.find_first_of("/?#") == 0)
        return "the header's link must be a whole http:// or https:// address, as WhatsApp fetches the file from it";
    return std::nullopt;
}

std::optional<std::string> why_button_values_do_not_fit(const message_template& t,
                                                        const std::vector<std::string>& values) {
    auto n = t.button_variables.size();
    if (values.size() != n)
        return t.name + " has " + std::to_string(n) + (n == 1 ? " button that takes" : " buttons that take") +
               " a value, and " + std::to_string(values.size()) + (values.size() == 1 ? " was" : " were") + " given";
    for (std::size_t i = 0; i < n; ++i) {
        auto& b = t.button_variables[i];
        auto& v = values[i];
        auto which = "the button \"" + b.text + "\"";
        if (!chat::utf8_length(v)) return which + " must be UTF-8 text";
        if (v.empty()) return which + (b.type == "url" ? "'s link needs its end" : "'s code is empty");
        if (has_space_or_control(v)) return which + (b.type == "url" ? "'s link" : "'s code") + " must have no spaces";
        if (b.type == "copy_code" && *chat::utf8_length(v) > max_code_chars)
            return which + "'s code must be at most 15 characters";
        if (b.type == "url" && url_filled(b, v).size() > max_button_url_chars)
            return which + "'s link, filled in, is over the 2000 characters WhatsApp takes";
    }
    return std::nullopt;
}

std::optional<fill_misfit> why_fill_does_not_fit(const message_template& t, const template_fill& fill) {
    if (auto why = why_parameters_do_not_fit(t, fill.body)) return fill_misfit{"parameters", *why};
    if (auto why = why_header_value_does_not_fit(t, fill.header)) return fill_misfit{"header_value", *why};
    if (auto why = why_header_media_does_not_fit(t, fill.header_media_url)) return fill_misfit{"header_media_url", *why};
    if (auto why = why_button_values_do_not_fit(t, fill.buttons)) return fill_misfit{"button_values", *why};
    return std::nullopt;
}

std::string filled_in(const message_template& t, const template_fill& fill) {
    std::string text;
    if (!t.header_media.empty()) text = "[" + t.header_media + "] " + fill.header_media_url + "\n";
    if (!t.header.empty()) text = "*" + header_filled(t, fill.header) + "*\n";
    text += body_filled(t, fill.body);
    if (!t.footer.empty()) text += "\n\n_" + t.footer + "_";
    return text;
}

std::string template_send_object(const message_template& t, const template_fill& fill) {
    json::object object = {{"name", t.name}, {"language", {{"code", t.language}}}};
    auto text_parameter = [&](const std::string& value, const std::string& name) {
        json::object p{{"type", "text"}, {"text", value}};
        if (!t.parameter_names.empty()) p["parameter_name"] = name;  // a named template's
        return p;
    };
    json::array components;
    if (!t.header_variable.empty())
        components.push_back(
            {{"type", "header"}, {"parameters", json::array{text_parameter(fill.header, t.header_variable)}}});
    if (!t.header_media.empty()) {
        json::object file{{"link", fill.header_media_url}};
        if (auto name = filename_of(fill.header_media_url); t.header_media == "document" && !name.empty())
            file["filename"] = name;
        json::object parameter{{"type", t.header_media}, {t.header_media, std::move(file)}};
        components.push_back({{"type", "header"}, {"parameters", json::array{std::move(parameter)}}});
    }
    if (!fill.body.empty()) {
        json::array parameters;
        for (std::size_t i = 0; i < fill.body.size(); ++i)
            parameters.push_back(text_parameter(fill.body[i], t.parameter_names.empty() ? "" : t.parameter_names[i]));
        components.push_back({{"type", "body"}, {"parameters", std::move(parameters)}});
    }
    for (std::size_t i = 0; i < t.button_variables.size() && i < fill.buttons.size(); ++i) {
        auto& b = t.button_variables[i];
        auto parameter = b.type == "url" ? json::object{{"type", "text"}, {"text", fill.buttons[i]}}
                                         : json::object{{"type", "coupon_code"}, {"coupon_code", fill.buttons[i]}};
        components.push_back({{"type", "button"},
                              {"sub_type", b.type},
                              {"index", std::to_string(b.index)},
                              {"parameters", json::array{std::move(parameter)}}});
    }
    if (!components.empty()) object["components"] = std::move(components);
    return json::serialize(object);
}

template_page parse_template_page(std::string_view body) {
    template_page page;
    boost::system::error_code ec;
    auto doc = json::parse(body, ec);
    auto* data = !ec && doc.is_object() ? doc.as_object().if_contains("data") : nullptr;
    if (!data || !data->is_array()) {
        page.error = "WhatsApp's answer is not a list of templates";
        return page;
    }
    for (auto& v : data->as_array())
        if (auto t = sendable(v)) page.templates.push_back(std::move(*t));
    // Meta gives a `next` link only while there is a next page; the cursor
    // is taken rather than the link, which names Meta's own host.
    auto& o = doc.as_object();
    auto* paging = o.if_contains("paging");
    if (paging && paging->is_object() && paging->as_object().contains("next")) {
        auto* cursors = paging->as_object().if_contains("cursors");
        if (cursors && cursors->is_object()) page.after = string_of(cursors->as_object(), "after");
    }
    return page;
}

struct template_catalog::impl {
    impl(net::io_context& ioc, template_options o) : options(std::move(o)), strand(net::make_strand(ioc)) {
        if (!options.wa_api_base.empty()) api = parse_url(options.wa_api_base);
    }

    // Made at the first list, as the media fetcher's: its TLS context reads
    // the system's certificates.
    http_client& client() {
        if (!client_) client_.emplace(strand, options.request_timeout, 2, options.ca_file);
        return *client_;
    }

    // On the strand. A list that could not be had is not kept: the next
    // agent to ask tries again.
    net::awaitable<template_list> run() {
        auto now = std::chrono::steady_clock::now();
        if (kept && now - kept_at < options.keep_for) co_return template_list{kept, {}};
        if (reading) {  // agents opening the dialog together: one read of Meta's list
            auto under_way = reading;
            co_return co_await under_way->wait();
        }
        auto mine = reading = std::make_shared<shared_result<template_list>>(strand);
        auto fetch_and_keep = [&]() -> net::awaitable<template_list> {
            auto out = co_await fetch();
            if (out.templates) {
                kept = out.templates;
                kept_at = now;
            }
            co_return out;
        };
        // Named locals, not temporaries in the co_await (GCC 12).
        auto if_thrown = template_list{nullptr, "the read stopped before it was done"};
        auto forget = [&] { reading.reset(); };
        auto settled = mine->settle(fetch_and_keep, std::move(if_thrown), forget);
        co_return co_await std::move(settled);
    }

    net::awaitable<template_list> fetch() {
        auto fail = [](std::string why) { return template_list{nullptr, std::move(why)}; };
        if (stopped) co_return fail("shutting down");
        if (options.business_account_id.empty())
            co_return fail("no --wa-business-account-id is set, so WhatsApp's templates cannot be read");
        if (!api) co_return fail("no --wa-api-base is set, so WhatsApp's templates cannot be read");
        auto all = std::make_shared<std::vector<message_template>>();
        std::string after;
        for (int page = 0; page < max_pages; ++page) {
            auto target = "/" + http::percent_encode(options.business_account_id) +
                          "/message_templates?fields=name,language,status,category,components&limit=100";
            if (!after.empty()) target += "&after=" + http::percent_encode(after);
            http_client::header_list headers{{"Authorization", "Bearer " + options.wa_token}};
            auto res = co_await client().get(*api, std::move(target), std::move(headers), 4u << 20);
            if (res.status == 0) co_return fail("WhatsApp could not be reached: " + res.error);
            if (res.status / 100 != 2) co_return fail(refusal_reason(res.status, res.body));
            auto parsed = parse_template_page(res.body);
            if (!parsed.error.empty()) co_return fail(std::move(parsed.error));
            for (auto& t : parsed.templates) all->push_back(std::move(t));
            if (parsed.after.empty()) break;
            after = std::move(parsed.after);
        }
        std::sort(all->begin(), all->end(), [](const message_template& a, const message_template& b) {
            return std::tie(a.name, a.language) < std::tie(b.name, b.language);
        });
        co_return template_list{std::move(all), {}};
    }

    template_options options;
    net::strand<net::io_context::executor_type> strand;
    std::optional<http_client> client_;
    std::optional<url_parts> api;
    std::shared_ptr<const std::vector<message_template>> kept;
    std::chrono::steady_clock::time_point kept_at{};
    std::shared_ptr<shared_result<template_list>> reading;  // a read of Meta's list under way
    bool stopped = false;
};

template_catalog::template_catalog(net::io_context& ioc, template_options options)
    : impl_(std::make_shared<impl>(ioc, std::move(options))) {}

template_catalog::~template_catalog() = default;

bool template_catalog::configured() const { return !impl_->options.business_account_id.empty(); }

net::awaitable<template_list> template_catalog::list() {
    auto self = impl_;  // named locals, not temporaries in the co_await (media_fetcher::fetch)
    auto job = [self] { return self->run(); };
    auto on_strand = net::co_spawn(self->strand, std::move(job), net::use_awaitable);
    co_return co_await std::move(on_strand);
}

void template_catalog::stop() {
    net::post(impl_->strand, [self = impl_] {
        self->stopped = true;
        if (self->client_) self->client_->shutdown();
    });
}

}  // namespace switchboard::channels
