// Saved views, as Chatwoot's custom views and Intercom's: an agent names a
// list they look at often (the urgent billing chats, lea's live ones, a
// search) and comes back to it in one click. Each agent's own: nobody
// else lists, runs or changes them; and the team's, shared, which admins
// make and change and every agent lists and runs (Intercom's team views).
// A view keeps the list's parameters (list_params.hpp), checked as the
// list checks them when it is saved. Held in memory, each shelf read from
// the store when first asked for, and kept as one setting a shelf
// (views:<username>, views_shared), written through.
// Internal to src/api.
#pragma once

#include "switchboard/core/time.hpp"
#include "switchboard/store/setting_writer.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::api {

struct api_context;

struct saved_view {
    std::string id, name;
    boost::json::object query;  // list parameters by name, each a string
    timestamp created_at{}, updated_at{};
    bool shared = false;  // the team's, on the shared shelf
};

inline constexpr std::size_t max_views_per_agent = 50;  // and shared ones, as many
inline constexpr std::size_t max_view_name_chars = 64;
inline constexpr std::size_t max_view_search_chars = 200;

boost::json::object view_json(const saved_view& v);

// A view's query as a body gives it: an object of list parameters, each a
// string, that the list reads. field_error naming "query" or
// "query.<parameter>" otherwise.
boost::json::object view_query_field(api_context& ctx, const boost::json::object& body);

class view_book {
public:
    explicit view_book(api_context& ctx) : ctx_(ctx) {}

    // Who asks: their own views, and changing the shared ones if an admin.
    struct caller {
        std::string username;
        bool admin = false;
    };

    // The agent's views and the shared ones, by name.
    boost::json::array list(const std::string& agent);
    // The agent's view `id` or a shared one, or command_error (not_found).
    saved_view get(const std::string& agent, std::string_view id);
    // On the agent's shelf, or the shared one (admins only: forbidden).
    // command_error (conflict) for a name the shelf has, or too many.
    boost::asio::awaitable<saved_view> create(caller who, std::string name, boost::json::object query, bool shared);
    // nullopt: that part stays. command_error (not_found; forbidden for a
    // shared one unless an admin; conflict).
    boost::asio::awaitable<saved_view> update(caller who, std::string id, std::optional<std::string> name,
                                              std::optional<boost::json::object> query);
    boost::asio::awaitable<void> remove(caller who, std::string id);

private:
    struct shelf {  // one agent's views, or the shared ones (owner ""), by name
        explicit shelf(store::store& db, std::string key) : saver(db, std::move(key)) {}
        std::vector<saved_view> views;
        store::setting_writer saver;
    };
    // Under the lock: the owner's shelf ("" the shared one), read from the
    // store the first time.
    shelf& shelf_of(const std::string& owner);
    std::vector<saved_view> stored_views(const std::string& owner) const;
    // Under the lock: the owner of the shelf `id` is on that `who` may
    // change, or command_error (not_found, forbidden).
    std::string owner_of(const caller& who, std::string_view id);
    boost::json::array listed(const std::string& agent);  // under the lock
    std::vector<saved_view>::iterator find(shelf& s, std::string_view id);  // end() when the shelf has none
    std::vector<saved_view>::iterator at(shelf& s, std::string_view id);  // or not_found
    void refuse_taken(const shelf& s, const std::string& name, std::string_view except_id) const;
    // Writes the shelf through, then tells the sockets of those who list it
    // (views.updated): its agent's, or every agent's online for the shared.
    boost::asio::awaitable<void> save(std::string owner);

    api_context& ctx_;
    std::mutex mutex_;  // never held across an await
    std::map<std::string, std::unique_ptr<shelf>, std::less<>> shelves_;
};

}  // namespace switchboard::api
