#include "switchboard/store/setting_writer.hpp"

#include "switchboard/store/store.hpp"

#include <algorithm>
#include <exception>

namespace switchboard::store {

boost::asio::awaitable<void> setting_writer::save(std::mutex& lock, std::function<std::string()> snapshot,
                                                  std::function<void()> reload) {
    for (;;) {
        write_batch b;
        std::uint64_t version = 0;
        {
            std::lock_guard held(lock);
            b.settings_put.emplace_back(key_, snapshot());
            version = version_;
        }
        std::exception_ptr failed;
        try {
            co_await db_.write(std::move(b));
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            reload();
            std::rethrow_exception(failed);
        }
        std::lock_guard held(lock);
        bool overtaken = version < newest_saved_;  // a newer value was written before this older one
        newest_saved_ = std::max(newest_saved_, version);
        if (!overtaken) co_return;
    }
}

}  // namespace switchboard::store
