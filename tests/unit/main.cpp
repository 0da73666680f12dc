#define BOOST_TEST_MODULE switchboard_unit
#include <boost/test/unit_test.hpp>
