// A flat hash map keyed by strings that a string_view finds unconverted.
// Flat: a lookup touches the slot's group and the element, not a chain of
// nodes, which matters for maps of tens of thousands of conversations.
#pragma once

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <string>
#include <string_view>

namespace switchboard {

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return boost::hash<std::string_view>()(s); }
};

struct string_equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

template <class T>
using string_map = boost::unordered_flat_map<std::string, T, string_hash, string_equal>;

}  // namespace switchboard
