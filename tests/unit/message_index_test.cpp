// The SQLite store's in-memory map from (phone, seq) to row
// (src/store/message_index.hpp), against a plain ordered map: seqs in order
// and out of it, given twice, with gaps, and far apart.
#include "../../src/store/message_index.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using switchboard::store::message_index;

struct reference {
    std::map<std::string, std::map<std::uint64_t, std::pair<std::int64_t, bool>>> phones;
};

// Every question the store asks, of both, for each phone and around each seq.
void same_answers(const message_index& index, const reference& ref, const std::vector<std::uint64_t>& probes) {
    auto text = [](std::uint64_t seq, std::int64_t row, bool user) {
        return std::to_string(seq) + ":" + std::to_string(row) + (user ? "u" : "");
    };
    auto places = [&](const std::vector<message_index::entry>& v) {
        std::vector<std::string> out;
        for (auto& e : v) out.push_back(text(e.seq, e.row, e.from_user));
        return out;
    };
    for (auto& [phone, rows] : ref.phones) {
        BOOST_TEST_CONTEXT("phone " << phone) {
            auto last = index.last(phone);
            BOOST_TEST_REQUIRE(last.has_value());
            BOOST_TEST(std::uint64_t{last->seq} == rows.rbegin()->first);
            BOOST_TEST(last->row == rows.rbegin()->second.first);
            for (auto seq : probes) {
                auto it = rows.find(seq);
                auto found = index.find(phone, seq);
                BOOST_TEST(found.has_value() == (it != rows.end()), "seq " << seq);
                if (found && it != rows.end()) BOOST_TEST(*found == it->second.first);
                std::uint32_t users = 0;
                for (auto u = rows.upper_bound(seq); u != rows.end(); ++u) users += u->second.second;
                BOOST_TEST(index.user_messages_after(phone, seq) == users, "after " << seq);
                std::string newest_user = "none";
                for (auto b = rows.lower_bound(seq); b != rows.begin();)
                    if ((--b)->second.second) {
                        newest_user = text(b->first, b->second.first, true);
                        break;
                    }
                auto from_user = index.last_from_user(phone, seq);
                BOOST_TEST((from_user ? text(from_user->seq, from_user->row, from_user->from_user) : "none") == newest_user,
                           "the user's before " << seq);
                for (std::size_t limit : {1u, 3u, 1000u}) {
                    std::vector<std::string> expected;
                    for (auto b = rows.lower_bound(seq); b != rows.begin() && expected.size() < limit;) {
                        --b;
                        expected.insert(expected.begin(), text(b->first, b->second.first, b->second.second));
                    }
                    BOOST_TEST(places(index.before(phone, seq, limit)) == expected, "before " << seq << " limit " << limit);
                }
            }
        }
    }
    BOOST_TEST(!index.last("nobody").has_value());
    BOOST_TEST(!index.find("nobody", 1).has_value());
    BOOST_TEST(!index.last_from_user("nobody", 1).has_value());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(message_index_map)

BOOST_AUTO_TEST_CASE(rows_are_found_by_seq_as_an_ordered_map_would_find_them) {
    message_index index;
    reference ref;
    std::int64_t row = 0;
    auto add = [&](const std::string& phone, std::uint64_t seq, bool user) {
        ++row;
        index.add(phone, seq, row, user);
        ref.phones[phone][seq] = {row, user};
    };
    // In order, as a conversation writes.
    for (std::uint64_t s = 1; s <= 40; ++s) add("in-order", s, s % 3 != 0);
    // Out of order, given twice, and with a short gap at either end.
    for (std::uint64_t s : {10u, 8u, 9u, 12u, 9u, 5u, 30u, 31u, 6u}) add("shuffled", s, s % 2 == 0);
    // A seq far above, and then far below: the list changes form and keeps
    // everything, old and new.
    for (std::uint64_t s = 1; s <= 10; ++s) add("far", s, true);
    add("far", 1'000'000, false);
    add("far", 11, true);
    add("far", 5, false);  // given twice, after the change
    for (std::uint64_t s = 3; s <= 5; ++s) add("far-below", 100'000 + s, s == 4);
    add("far-below", 2, true);
    add("one", 7, true);

    std::vector<std::uint64_t> probes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 29, 30, 31, 32, 39, 40, 41,
                                      100'002, 100'003, 100'004, 100'005, 100'006, 999'999, 1'000'000, 1'000'001,
                                      UINT64_MAX};
    same_answers(index, ref, probes);
}

BOOST_AUTO_TEST_SUITE_END()
