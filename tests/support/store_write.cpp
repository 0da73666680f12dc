#include "store_write.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace switchboard::test {

void write(store::store& s, store::write_batch b) {
    namespace net = boost::asio;
    net::io_context ioc;
    auto f = net::co_spawn(ioc, s.write(std::move(b)), net::use_future);
    ioc.run();
    f.get();
}

}  // namespace switchboard::test
