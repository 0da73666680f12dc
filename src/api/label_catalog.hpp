// The label catalog, as Chatwoot's Labels settings: the labels the team
// files conversations under, each with a colour and a description, which
// the consoles paint the chips with and offer first. A conversation may
// still carry a label the catalog lacks (one typed in, or one deleted
// since: Chatwoot keeps a deleted label on its conversations too).
// Internal to src/api.
#pragma once

#include "switchboard/core/time.hpp"
#include "switchboard/store/named_setting_list.hpp"

#include <string>
#include <string_view>

namespace boost::json {
class object;
}

namespace switchboard::api {

struct label_definition {
    std::string name;         // chat::label_from's form, as conversations carry it
    std::string description;  // one line, may be empty
    std::string color;        // "#rrggbb", lower case
    std::string updated_by;
    timestamp updated_at{};
};

// {"name","description","color","updated_by","updated_at"}: as the API
// shows a label and the store keeps it.
boost::json::object label_json(const label_definition& l);

// A colour for a label given none: one of a few that read well under both
// themes, by its name, so each label keeps its own.
std::string default_label_color(std::string_view name);

inline constexpr std::size_t max_catalog_labels = 200;
inline constexpr std::size_t max_label_description_chars = 200;

class label_catalog : public store::named_setting_list<label_definition> {
public:
    explicit label_catalog(store::store& db);
};

}  // namespace switchboard::api
