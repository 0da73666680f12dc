// Things with unique names (the teams, the label catalog), held in memory
// sorted by name and kept in the store whole, as one setting (a JSON
// array), written through. Admins write them, everyone reads them.
// Defined in src/store/named_setting_list_impl.hpp, instantiated by each
// user's .cpp.
#pragma once

#include "switchboard/store/setting_writer.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::json {
class object;
}

namespace switchboard::store {

class store;

// T has a `std::string name`.
template <class T>
class named_setting_list {
public:
    struct codec {
        std::function<boost::json::object(const T&)> to_json;
        std::function<T(const boost::json::object&)> from_json;  // throws on what does not read
    };
    // Reads the kept list; an item that no longer reads is left out, logged
    // as `what` ("team").
    named_setting_list(store& db, std::string key, std::size_t max, codec c, std::string what);

    std::vector<T> list() const;  // by name
    std::optional<T> find(std::string_view name) const;
    bool exists(std::string_view name) const { return find(name).has_value(); }

    // Adds it, or replaces the one of that name. nullopt, changing nothing,
    // when it would be one past `max`.
    struct put_result {
        T saved;
        bool created = false;  // none had its name
    };
    boost::asio::awaitable<std::optional<put_result>> put(T item);
    // false when there is none of that name.
    boost::asio::awaitable<bool> remove(std::string name);

private:
    void load();
    boost::asio::awaitable<void> save();

    store& db_;
    std::string key_, what_;
    std::size_t max_;
    codec codec_;
    mutable std::mutex mutex_;  // never held across an await
    std::vector<T> items_;      // by name
    setting_writer saver_;
};

}  // namespace switchboard::store
