// named_setting_list's definitions: included by the .cpp that instantiates
// it for its type.
#pragma once

#include "switchboard/core/log.hpp"
#include "switchboard/store/named_setting_list.hpp"
#include "switchboard/store/store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace switchboard::store {

namespace detail {

// Where an item named `name` is, or would go, in a list sorted by name.
template <class Items>
auto place_of(Items& by_name, std::string_view name) {
    return std::lower_bound(by_name.begin(), by_name.end(), name,
                            [](const auto& item, std::string_view n) { return item.name < n; });
}

}  // namespace detail

template <class T>
named_setting_list<T>::named_setting_list(store& db, std::string key, std::size_t max, codec c, std::string what)
    : db_(db), key_(key), what_(std::move(what)), max_(max), codec_(std::move(c)), saver_(db, std::move(key)) {
    load();
}

template <class T>
void named_setting_list<T>::load() {
    std::vector<T> loaded;
    if (auto stored = db_.find_setting(key_)) {
        boost::system::error_code ec;
        auto v = boost::json::parse(*stored, ec);
        if (!ec && v.is_array()) {
            for (auto& item : v.as_array()) {
                try {
                    loaded.push_back(codec_.from_json(item.as_object()));
                } catch (const std::exception& e) {
                    log::warn("a stored " + what_ + " unreadable; left out", {{"error", e.what()}});
                }
            }
        } else {
            log::warn("the stored " + what_ + "s unreadable; none kept", {{"error", ec ? ec.message() : "not a list"}});
        }
    }
    std::sort(loaded.begin(), loaded.end(), [](auto& a, auto& b) { return a.name < b.name; });
    std::lock_guard lock(mutex_);
    items_ = std::move(loaded);
}

template <class T>
std::vector<T> named_setting_list<T>::list() const {
    std::lock_guard lock(mutex_);
    return items_;
}

template <class T>
std::optional<T> named_setting_list<T>::find(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto at = detail::place_of(items_, name);
    if (at == items_.end() || at->name != name) return std::nullopt;
    return *at;
}

template <class T>
boost::asio::awaitable<std::optional<typename named_setting_list<T>::put_result>> named_setting_list<T>::put(T item) {
    bool created = false;
    {
        std::lock_guard lock(mutex_);
        auto at = detail::place_of(items_, item.name);
        created = at == items_.end() || at->name != item.name;
        if (!created) {
            *at = item;
        } else {
            if (items_.size() >= max_) co_return std::nullopt;
            items_.insert(at, item);
        }
        saver_.changed();
    }
    co_await save();
    co_return put_result{std::move(item), created};
}

template <class T>
boost::asio::awaitable<bool> named_setting_list<T>::remove(std::string name) {
    {
        std::lock_guard lock(mutex_);
        auto at = detail::place_of(items_, name);
        if (at == items_.end() || at->name != name) co_return false;
        items_.erase(at);
        saver_.changed();
    }
    co_await save();
    co_return true;
}

// The whole list as it is now; a save the store refused leaves the list as
// the store has it.
template <class T>
boost::asio::awaitable<void> named_setting_list<T>::save() {
    return saver_.save(
        mutex_,
        [this] {
            boost::json::array all;
            for (auto& item : items_) all.push_back(codec_.to_json(item));
            return boost::json::serialize(all);
        },
        [this] { load(); });
}

}  // namespace switchboard::store
