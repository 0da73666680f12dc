#include "attribute_catalog.hpp"
#include "command_fields.hpp"

#include "../store/named_setting_list_impl.hpp"
#include "switchboard/core/ascii_case.hpp"
#include "switchboard/http/message.hpp"

#include <array>
#include <cctype>
#include <chrono>

namespace switchboard::api {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 6> type_names{"text", "number", "link", "date", "list", "checkbox"};

bool digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// 42, -7, 3.5: what a spreadsheet reads as a number, without thousands' commas.
bool is_number(std::string_view v) {
    if (v.size() > 32) return false;
    if (!v.empty() && v.front() == '-') v.remove_prefix(1);
    auto dot = v.find('.');
    if (dot == std::string_view::npos) return digits(v);
    return digits(v.substr(0, dot)) && digits(v.substr(dot + 1));
}

// http(s)://, something after it and no white space: what the consoles open.
bool is_link(std::string_view v) {
    auto scheme_then_more = [&](std::string_view scheme) {
        return v.size() > scheme.size() && http::iequals(v.substr(0, scheme.size()), scheme);
    };
    return (scheme_then_more("https://") || scheme_then_more("http://")) &&
           std::none_of(v.begin(), v.end(), [](unsigned char c) { return std::isspace(c); });
}

// YYYY-MM-DD, a day there is.
bool is_date(std::string_view v) {
    if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
    if (!digits(v.substr(0, 4)) || !digits(v.substr(5, 2)) || !digits(v.substr(8, 2))) return false;
    auto n = [&](std::size_t at, std::size_t len) { return std::stoi(std::string(v.substr(at, len))); };
    return std::chrono::year_month_day{std::chrono::year{n(0, 4)}, std::chrono::month(static_cast<unsigned>(n(5, 2))),
                                       std::chrono::day(static_cast<unsigned>(n(8, 2)))}
        .ok();
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (auto& v : values) out += (out.empty() ? "" : ", ") + v;
    return out;
}

// As attribute_json wrote it; throws on anything else.
attribute_definition stored_attribute(const json::object& o) {
    attribute_definition a;
    a.name = std::string(o.at("key").as_string());
    a.display_name = std::string(o.at("display_name").as_string());
    a.type = attribute_type_from(o.at("type").as_string()).value();
    a.description = std::string(o.at("description").as_string());
    for (auto& v : o.at("values").as_array()) a.values.emplace_back(v.as_string());
    a.updated_by = std::string(o.at("updated_by").as_string());
    a.updated_at = parse_iso8601(o.at("updated_at").as_string()).value_or(timestamp{});
    return a;
}

}  // namespace

std::string_view to_string(attribute_type t) { return type_names[static_cast<std::size_t>(t)]; }

std::optional<attribute_type> attribute_type_from(std::string_view typed) {
    for (std::size_t i = 0; i < type_names.size(); ++i)
        if (type_names[i] == typed) return static_cast<attribute_type>(i);
    return std::nullopt;
}

json::object attribute_json(const attribute_definition& a) {
    json::array values;
    for (auto& v : a.values) values.emplace_back(v);
    return {{"key", a.name},
            {"display_name", a.display_name},
            {"type", to_string(a.type)},
            {"description", a.description},
            {"values", std::move(values)},
            {"updated_by", a.updated_by},
            {"updated_at", to_iso8601(a.updated_at)}};
}

typed_value as_typed(const attribute_definition& a, std::string_view value) {
    auto is = "the attribute " + a.name + " is ";
    switch (a.type) {
    case attribute_type::text:
        return {std::string(value), {}};
    case attribute_type::number:
        if (is_number(value)) return {std::string(value), {}};
        return {std::nullopt, is + "a number, as 42 or 3.5"};
    case attribute_type::link:
        if (is_link(value)) return {std::string(value), {}};
        return {std::nullopt, is + "a link, starting http:// or https://"};
    case attribute_type::date:
        if (is_date(value)) return {std::string(value), {}};
        return {std::nullopt, is + "a date, as 2026-12-31"};
    case attribute_type::checkbox: {
        auto lower = ascii_lowered(std::string(value));
        if (lower == "true" || lower == "false") return {lower, {}};
        return {std::nullopt, is + "true or false"};
    }
    case attribute_type::list:
        for (auto& choice : a.values)
            if (http::iequals(choice, value)) return {choice, {}};
        return {std::nullopt, is + "one of: " + joined(a.values)};
    }
    return {std::nullopt, is + "of no type there is"};
}

attribute_catalog::attribute_catalog(store::store& db)
    : named_setting_list(db, "custom_attributes", max_attribute_definitions, {attribute_json, stored_attribute},
                         "custom attribute") {}

std::optional<attribute_catalog::refusal> attribute_catalog::conform(
    std::vector<std::pair<std::string, std::string>>& details) const {
    for (auto& [key, value] : details) {
        auto defined = find(key);
        if (!defined) continue;
        auto typed = as_typed(*defined, value);
        if (!typed.value) return refusal{key, std::move(typed.problem)};
        value = std::move(*typed.value);
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> typed_attributes_field(const attribute_catalog& types,
                                                                        const json::object& o) {
    auto attributes = attributes_field(o);
    if (auto refused = types.conform(attributes)) throw field_error{"attributes", std::move(refused->problem)};
    return attributes;
}

}  // namespace switchboard::api

template class switchboard::store::named_setting_list<switchboard::api::attribute_definition>;
