#include "store_write.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>

namespace switchboard::test {

void write(store::store& s, store::write_batch b) {
    namespace net = boost::asio;
    net::io_context ioc;
    auto f = net::co_spawn(ioc, s.write(std::move(b)), net::use_future);
    ioc.run();
    f.get();
}

void rewrite_events(store::store& s, events::data_rewrite r) {
    std::promise<void> done;
    auto rewritten = done.get_future();
    s.async_rewrite_events(std::move(r), [&done](std::exception_ptr e) {
        if (e)
            done.set_exception(e);
        else
            done.set_value();
    });
    rewritten.get();
}

}  // namespace switchboard::test
