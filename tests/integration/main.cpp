#define BOOST_TEST_MODULE switchboard_integration
#include <boost/test/unit_test.hpp>
