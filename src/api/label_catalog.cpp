#include "label_catalog.hpp"

#include "../store/named_setting_list_impl.hpp"

#include <array>

namespace switchboard::api {

namespace json = boost::json;

json::object label_json(const label_definition& l) {
    return {{"name", l.name},
            {"description", l.description},
            {"color", l.color},
            {"updated_by", l.updated_by},
            {"updated_at", to_iso8601(l.updated_at)}};
}

std::string default_label_color(std::string_view name) {
    static constexpr std::array<std::string_view, 8> palette{"#1f93ff", "#12b76a", "#f79009", "#f04438",
                                                             "#7a5af8", "#ee46bc", "#0ba5ec", "#667085"};
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : name) h = (h ^ c) * 16777619u;
    return std::string(palette[h % palette.size()]);
}

namespace {

// As label_json wrote it; throws on anything else.
label_definition stored_label(const json::object& o) {
    return {std::string(o.at("name").as_string()), std::string(o.at("description").as_string()),
            std::string(o.at("color").as_string()), std::string(o.at("updated_by").as_string()),
            parse_iso8601(o.at("updated_at").as_string()).value_or(timestamp{})};
}

}  // namespace

label_catalog::label_catalog(store::store& db)
    : named_setting_list(db, "labels", max_catalog_labels, {label_json, stored_label}, "label") {}

}  // namespace switchboard::api

template class switchboard::store::named_setting_list<switchboard::api::label_definition>;
