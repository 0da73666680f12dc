// The custom attributes, as Chatwoot's Custom Attributes settings: the
// details the team keeps of its users (`plan`, `signed_up`), each with a
// name to show, a type and a description. A value of a defined attribute
// is checked against its type wherever a user's details are set (PUT
// …/attributes, POST /conversations, the contacts' import), and the
// consoles offer the defined ones first and edit each by its type. A user
// may still have details the catalog lacks (typed in, or deleted since),
// which are plain text. Internal to src/api.
#pragma once

#include "switchboard/core/time.hpp"
#include "switchboard/store/named_setting_list.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::json {
class object;
}

namespace switchboard::api {

enum class attribute_type { text, number, link, date, list, checkbox };
std::string_view to_string(attribute_type t);
std::optional<attribute_type> attribute_type_from(std::string_view typed);

struct attribute_definition {
    std::string name;          // the key, as a conversation's details carry it (attribute_key_from)
    std::string display_name;  // as the consoles show it: "Signed up"
    attribute_type type = attribute_type::text;
    std::string description;          // one line, may be empty
    std::vector<std::string> values;  // a list's choices, in order; empty for the other types
    std::string updated_by;
    timestamp updated_at{};
};

// {"key","display_name","type","description","values","updated_by","updated_at"}:
// as the API shows one and the store keeps it.
boost::json::object attribute_json(const attribute_definition& a);

// `value` (trimmed, one line already) as a detail of `a`'s type keeps it (a
// checkbox's `true` in lower case, a list's choice as the list spells it),
// or the rule it breaks, in words ("the attribute plan is one of: Gold,
// Silver").
struct typed_value {
    std::optional<std::string> value;
    std::string problem;  // when there is no value
};
typed_value as_typed(const attribute_definition& a, std::string_view value);

inline constexpr std::size_t max_attribute_definitions = 50;
inline constexpr std::size_t max_attribute_display_chars = 64;
inline constexpr std::size_t max_attribute_description_chars = 200;
inline constexpr std::size_t max_list_values = 50;
inline constexpr std::size_t max_list_value_chars = 64;

class attribute_catalog : public store::named_setting_list<attribute_definition> {
public:
    explicit attribute_catalog(store::store& db);

    // Each of `details` whose key is defined, as its type keeps it; nullopt
    // when all read, or the first that does not: its key and the rule.
    struct refusal {
        std::string key, problem;
    };
    std::optional<refusal> conform(std::vector<std::pair<std::string, std::string>>& details) const;
};

// attributes_field (command_fields.hpp), each custom attribute's value as
// its type keeps it; field_error naming "attributes" for one its type
// refuses.
std::vector<std::pair<std::string, std::string>> typed_attributes_field(const attribute_catalog& types,
                                                                        const boost::json::object& o);

}  // namespace switchboard::api
